// Moving between pages: which page object is shown in <main>, the one ticker that drives
// every countdown on it, and the URL fragment routes. The router itself (which page for
// which fragment and role) is main.js's; it registers here, so pages can navigate without
// importing main.js.
import { S } from './state.js';
import { clock } from './clock.js';

let router = () => {};
let tickClock = () => {};

/** main.js hands in the router (route()) and the header clock's tick. */
export function setRouter(route, clockTick) {
  router = route;
  tickClock = clockTick || tickClock;
}

/** Routes the current fragment. */
export function route() {
  return router();
}

export function mainEl() {
  return document.getElementById('main');
}

/** Shows a page: the old one is destroyed, body[data-page] follows. */
export function show(page) {
  if (S.page && S.page.destroy) S.page.destroy();
  S.page = page;
  S.tickers = [];
  const body = document.body;
  body.dataset.page = page.name;
  if (page.name !== 'room') {
    delete body.dataset.phase;
    delete body.dataset.call;
  }
  delete body.dataset.error;
  mainEl().replaceChildren();
  page.mount(mainEl());
  tick();
}

/** Draws the current page again from its state (new data, new language). */
export function remount() {
  if (!S.page) return;
  S.tickers = [];
  mainEl().replaceChildren();
  S.page.mount(mainEl());
  tick();
}

export function hashParams() {
  return new URLSearchParams(location.hash.replace(/^#/, ''));
}

/** Goes to a fragment route ('' is the home page); the same route again is routed again. */
export function go(hash) {
  if (location.hash.replace(/^#/, '') === hash) route();
  else location.hash = hash;
}

export function enterRoom(id) {
  go('room=' + encodeURIComponent(id));
}

/** Whether the address bar shows this meeting's room. */
export function atRoom(id) {
  return location.hash === '#room=' + encodeURIComponent(id);
}

/** The ticker: one timer drives every countdown on the page. */
export function tick() {
  tickClock();
  for (const f of S.tickers) {
    try {
      f(clock.now());
    } catch (e) {
      console.error(e);
    }
  }
}

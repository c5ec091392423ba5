// The shape of web/js: every module says why it exists, none is over 800 lines, and the
// protocol and call layer (with what it imports) touches no DOM, so node can run it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../js');

function modules(dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? modules(p) : p.endsWith('.js') ? [p] : [];
  });
}

function imports(file) {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/^import [^'"]*['"](\.[^'"]+)['"]/gm)].map((m) => resolve(dirname(file), m[1]));
}

test('every module opens with a comment saying why it exists, and is under 800 lines', () => {
  const all = modules();
  assert.ok(all.length >= 20);
  for (const f of all) {
    const src = readFileSync(f, 'utf8');
    assert.match(src, /^\/\/ \S/, relative(root, f) + ' opens with a comment');
    assert.ok(src.split('\n').length < 800, relative(root, f) + ' is under 800 lines');
  }
});

test('the protocol and call layer, and everything it imports, has no DOM', () => {
  const noDom = ['wire/signaling.js', 'wire/lobby.js', 'wire/board.js', 'call.js', 'call_peer.js', 'screen.js', 'chat.js', 'files.js', 'quality.js', 'board_text.js', 'clock.js', 'format.js', 'phase.js', 'backoff.js', 'devices.js', 'media_advice.js', 'turn_check.js', 'meter.js', 'prep_view.js', 'reminders.js'];
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    const code = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '').replace(/'(?:[^'\\\n]|\\.)*'/g, "''");
    assert.doesNotMatch(code, /(?<![.\w])(document|window|location|navigator|localStorage|sessionStorage)\b(?!\s*:)/, relative(root, f) + ' uses no browser globals');
    for (const dep of imports(f)) visit(dep);
  };
  for (const f of noDom) visit(join(root, f));
});

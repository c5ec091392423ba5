// The address index.html loads, kept stable for bookmarks, caches and tests: the client
// itself is the ES modules under js/, starting at js/main.js.
import './js/main.js';

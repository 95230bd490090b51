import { Router } from 'express';
import { createRequire } from 'node:module';

/*
 * The console's own stylesheet and script, kept as strings so the bundle carries them (the
 * image ships apps/worker/dist, not src). htmx comes from its npm package in node_modules.
 */

const CSS = `
:root { --fg:#1d232b; --muted:#5b6675; --line:#d6dbe1; --bg:#f6f7f9; --accent:#0b5cad;
  --ok:#1d6b35; --bad:#a4161a; --warn:#8a5300; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); }
body { margin: 0; background: var(--bg); }
header { background: #16202c; color: #fff; padding: .5rem 1.25rem; display: flex; flex-wrap: wrap;
  align-items: center; gap: 1rem; }
header nav { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; flex: 1; }
header ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: 0; flex: 1; }
header a { color: #fff; padding: .35rem .6rem; border-radius: 4px; text-decoration: none; }
header a[aria-current="page"] { background: #2f4866; font-weight: 600; }
header a:hover { background: #253a52; }
.brand { margin: 0; font-weight: 700; } .brand span { font-weight: 400; opacity: .75; }
main { padding: 1rem 1.25rem 3rem; max-width: 1200px; }
main:focus { outline: none; }
h1 { font-size: 1.4rem; margin: .25rem 0 1rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .5rem; z-index: 9; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); margin-bottom: .75rem; }
caption { text-align: left; color: var(--muted); padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .55rem; border-bottom: 1px solid var(--line); }
th { background: #eef1f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
.card dt { color: var(--muted); font-size: .85rem; } .card dd { margin: .15rem 0 0; font-size: 1.5rem; font-weight: 650; }
.card dd a { text-decoration: none; }
.muted { color: var(--muted); }
.status { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: #e8ecf0; font-size: .85rem; }
.status.delivered, .status.succeeded, .status.applied { background: #dcefe2; color: var(--ok); }
.status.failed, .status.permanent { background: #f8dada; color: var(--bad); }
.status.unmatched, .status.pending, .status.retry, .status.running, .status.not_found { background: #fbecd0; color: var(--warn); }
form.inline { display: inline-flex; gap: .4rem; align-items: center; margin: 0; }
form.bar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: 0 0 1rem; }
label { font-weight: 600; display: block; font-size: .9rem; }
input[type=text], input[type=search], input[type=password] { font: inherit; padding: .35rem .5rem;
  border: 1px solid #8b95a1; border-radius: 4px; min-width: 14rem; }
button { font: inherit; padding: .35rem .8rem; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
header button { background: transparent; border-color: #fff; }
.notice { padding: .5rem .75rem; border-radius: 4px; border: 1px solid; }
.notice.ok { background: #e7f4eb; border-color: #9fcfae; } .notice.error { background: #fbe9e9; border-color: #e3a1a3; }
pre { background: #0f1720; color: #e6edf3; padding: .6rem; border-radius: 4px; overflow: auto;
  max-height: 24rem; white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; direction: ltr; }
.hidden-char { background: #f5a623; color: #000; border-radius: 2px; padding: 0 2px; font-size: .8em; }
details summary { cursor: pointer; color: var(--accent); }
.pager { display: flex; gap: 1rem; align-items: center; }
.login { max-width: 26rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; }
.login p { margin: .5rem 0; }
bdi { unicode-bidi: isolate; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

const SCRIPT = `
// Shows every <time> in the operator's own zone; the title keeps the UTC instant.
(function () {
  var format = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit',
    second: '2-digit', timeZoneName: 'short'
  });
  function localise(root) {
    var times = root.querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var instant = new Date(times[i].getAttribute('datetime'));
      if (!isNaN(instant.getTime())) times[i].textContent = format.format(instant);
    }
  }
  document.addEventListener('DOMContentLoaded', function () { localise(document); });
  document.addEventListener('htmx:afterSwap', function (event) { localise(event.target); });
})();
`;

const require = createRequire(import.meta.url);
const HTMX_FILE = require.resolve('htmx.org/dist/htmx.min.js');

/** Static files of the console; cached briefly, since a deploy may change them. */
export function assetRoutes(): Router {
  const router = Router();
  const cache = 'private, max-age=300';
  router.get('/assets/console.css', (_req, res) => {
    res.type('text/css').set('cache-control', cache).send(CSS);
  });
  router.get('/assets/console.js', (_req, res) => {
    res.type('text/javascript').set('cache-control', cache).send(SCRIPT);
  });
  router.get('/assets/htmx.min.js', (_req, res) => {
    res.type('text/javascript').set('cache-control', cache).sendFile(HTMX_FILE);
  });
  return router;
}

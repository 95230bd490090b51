import { Router, type Response } from 'express';
import { retryFailedDeliveries } from '../../../deliveries/requests';
import type { Destination } from '../../../destinations/set';
import {
  readDestinationStates,
  SWITCHES,
  switchDestination,
  type DestinationState,
} from '../../../destinations/states';
import { redirectDone, sendPage, sessionOf, type ConsoleDeps } from '../context';
import { html, visible, type SafeHtml } from '../html';
import { csrfField, href, time } from '../layout';

/**
 * Each destination's state with its switches: pause (its changes wait in its outbox, in
 * order, spending no attempts), resume, and retry its failed deliveries. The same actions as
 * the ops API's /api/destinations, logged the same way.
 */
export function destinationRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/destinations', async (req, res) => {
    const states = await readDestinationStates(deps);
    const csrf = sessionOf(res).csrf;
    const body = html`<table>
      <caption>
        Where each change of state goes (configured in TRACKSYNC_CONFIG, or the single destination
        of SOURCE_*)
      </caption>
      <thead>
        <tr>
          <th scope="col">Destination</th>
          <th scope="col">Sends to</th>
          <th scope="col" class="num">Rate cap</th>
          <th scope="col">State</th>
          <th scope="col" class="num">Pending</th>
          <th scope="col" class="num">Failed</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        ${states.map((state) => row(state, csrf))}
      </tbody>
    </table>`;
    sendPage(req, res, { title: 'Destinations', page: 'destinations', body });
  });

  for (const [action, to] of SWITCHES) {
    router.post(`/destinations/:name/${action}`, async (req, res) => {
      const destination = known(deps, req.params.name, res);
      if (!destination) return;
      await switchDestination(deps, destination.name, to);
      redirectDone(res, href('/destinations'), to, destination.name);
    });
  }

  router.post('/destinations/:name/retry-failed', async (req, res) => {
    const destination = known(deps, req.params.name, res);
    if (!destination) return;
    const { queued, refused } = await retryFailedDeliveries(deps, 500, {
      destination: destination.name,
    });
    deps.log.info(
      { destination: destination.name, queued, refused },
      'failed deliveries of a destination retried by an operator',
    );
    const what = `${destination.name}, ${queued} queued${refused > 0 ? `, ${refused} skipped (a newer change was delivered since)` : ''}`;
    redirectDone(res, href('/destinations'), 'retried_all', what);
  });
  return router;
}

function row(state: DestinationState, csrf: string): SafeHtml {
  const { summary } = state;
  const action = (path: string, label: string) =>
    html`<form
      class="inline"
      method="post"
      action="${href(`/destinations/${encodeURIComponent(state.name)}/${path}`)}"
    >
      ${csrfField(csrf)}<button type="submit">${label}</button>
    </form>`;
  return html`<tr>
    <th scope="row">${visible(state.name)}</th>
    <td>
      ${summary.adapter}${summary.target ? html` · ${visible(summary.target)}` : ''}
      ${summary.signed ? html`<span class="muted">signed</span>` : ''}
    </td>
    <td class="num">${state.rateLimitPerSec === null ? '—' : `${state.rateLimitPerSec}/s`}</td>
    <td>
      ${
        state.pausedAt === null
          ? html`<span class="status delivered">delivering</span>`
          : html`<span class="status failed">paused</span> since ${time(new Date(state.pausedAt))}`
      }
    </td>
    <td class="num">${state.pending.toLocaleString('en')}</td>
    <td class="num">${state.failed.toLocaleString('en')}</td>
    <td>
      ${state.pausedAt === null ? action('pause', 'Pause') : action('resume', 'Resume')}
      ${state.failed > 0 ? action('retry-failed', `Retry failed (${state.failed})`) : ''}
    </td>
  </tr>`;
}

/** The named destination, or back to the page saying there is none. */
function known(deps: ConsoleDeps, name: string, res: Response): Destination | undefined {
  const destination = deps.destinations.get(name);
  if (!destination) redirectDone(res, href('/destinations'), 'unknown_destination', name);
  return destination;
}

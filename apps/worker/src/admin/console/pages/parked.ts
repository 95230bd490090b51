import { listParkedPayloads } from '@tracksync/db';
import { Router } from 'express';
import { sendPage, type ConsoleDeps } from '../context';
import { bounded, html, visible } from '../html';
import { href, time } from '../layout';
import { pageOf, pager, splitPage } from '../paging';

/** Bodies may be up to MAX_BODY_BYTES (64 kB): a screenful of one is enough to see why. */
const PARKED_SHOWN_CHARS = 2_000;
/** Parked bodies can be long, so fewer a page than other lists. */
const PARKED_PAGE_SIZE = 20;

const REASONS = {
  invalid_json: 'not JSON',
  invalid_payload: 'JSON of the wrong shape',
} as const;

export function parkedRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/parked', async (req, res) => {
    const page = pageOf(req.query, PARKED_PAGE_SIZE);
    const listed = await listParkedPayloads(deps.db, page.limit, page.offset);
    const { rows, more } = splitPage(listed, PARKED_PAGE_SIZE);
    const body = html`<p class="muted">
        Authentic webhooks the ingress refused, kept whole. Bodies are shown as text, cut at
        ${PARKED_SHOWN_CHARS.toLocaleString('en')} characters; invisible characters are shown as
        [U+…].
      </p>
      ${
        rows.length === 0
          ? html`<p role="status">No parked payloads.</p>`
          : html`<table>
              <caption>
                Parked payloads, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Why refused</th>
                  <th scope="col">Body as received</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (row) =>
                    html`<tr>
                      <td>${time(row.receivedAt)}</td>
                      <td>
                        ${REASONS[row.reason]}
                        ${
                          row.issues.length > 0
                            ? html`<ul>
                                ${row.issues.map((issue) => html`<li><code>${visible(issue.path)}</code>: ${visible(issue.message)}</li>`)}
                              </ul>`
                            : ''
                        }
                      </td>
                      <td><pre>${bounded(row.body, PARKED_SHOWN_CHARS)}</pre></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${pager(page, more, `${href('/parked')}?`)}`;
    sendPage(req, res, { title: 'Parked payloads', page: 'parked', body });
  });
  return router;
}

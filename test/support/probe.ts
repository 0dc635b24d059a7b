import { extractCsrf, type WebClient } from './http.js';
import { WsClient } from './ws.js';

/**
 * What every path a reader could probe a room id with answers (page, HEAD, history JSON,
 * mention autocomplete, moderation panel and form, the join, members, send, settings, archive,
 * delete and leave forms, websocket join and read): a room they may not see must answer
 * exactly as an unknown id does. For non-members only (it posts leave, delete and the like).
 */
export async function probe(web: WebClient, url: string, id: number) {
  const ws = await WsClient.connect(url, { cookie: web.cookieHeader, origin: url });
  ws.send({ type: 'join', room: id });
  const joinErr = await ws.next('error');
  ws.send({ type: 'read', room: id, id: 1 });
  const readErr = await ws.next('error');
  ws.close();
  const status = async (p: Promise<Response>) => (await p).status;
  const csrf = extractCsrf(await (await web.get('/rooms')).text());
  return {
    page: await status(web.get(`/rooms/${id}`)),
    head: await status(web.request('HEAD', `/rooms/${id}`)),
    history: await status(web.get(`/rooms/${id}/messages`, { accept: 'application/json' })),
    mentionable: await status(web.get(`/rooms/${id}/mentionable?q=`, { accept: 'application/json' })),
    panel: await status(web.get(`/rooms/${id}/moderation`)),
    joinForm: await status(web.request('POST', `/rooms/${id}/join`, { _csrf: csrf })),
    members: await status(web.request('POST', `/rooms/${id}/members`, { _csrf: csrf, username: 'erin', action: 'add' })),
    moderate: await status(web.request('POST', `/rooms/${id}/moderation`, { _csrf: csrf, username: 'erin', action: 'mute' })),
    send: await status(web.request('POST', `/rooms/${id}/messages`, { _csrf: csrf, body: 'probe', clientId: 'probe-1' })),
    settings: await status(web.request('POST', `/rooms/${id}/settings`, { _csrf: csrf, description: 'x' })),
    archive: await status(web.request('POST', `/rooms/${id}/archive`, { _csrf: csrf, archived: '1' })),
    delete: await status(web.request('POST', `/rooms/${id}/delete`, { _csrf: csrf, confirm: 'yes' })),
    wsJoin: joinErr.code,
    leave: await status(web.request('POST', `/rooms/${id}/leave`, { _csrf: csrf })),
    wsRead: readErr.code,
  };
}

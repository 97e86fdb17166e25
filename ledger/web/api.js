// The dashboard's only link to the service: GraphQL over HTTP at /graphql, and the `events`
// and `notificationAdded` subscriptions over WebSocket at /graphql/ws (graphql-transport-ws
// protocol).

// Signing in exchanges an API token for a session cookie (`POST /session`): HttpOnly, so no
// script reads it, and shared by every tab of the browser until `DELETE /session` or its end.
// Every request says it comes from the dashboard (the header the service asks of requests the
// cookie authenticates, against cross-site forgery).
const FROM_DASHBOARD = { 'X-Requested-With': 'cpts-ledger' };

/** The error of a refused request, from the service's JSON answer. */
async function refusal(response) {
  let answer;
  try {
    answer = await response.json();
  } catch {
    return new ApiError(`Réponse illisible du service (HTTP ${response.status}).`,
      `Unreadable answer from the service (HTTP ${response.status}).`);
  }
  const first = body.errors?.[0] || {};
  return new ApiError(first.message || `HTTP ${response.status}`, first.extensions?.messageEn, first.extensions?.code, first.extensions?.field);
}

/** Opens a session with an API token (its secret is sent once and not kept by the page). */
export async function openSession(secret) {
  const response = await fetch('/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...FROM_DASHBOARD },
    body: JSON.stringify({ token: secret }),
  });
  if (!response.ok) throw await refusal(response);
}

/** Ends the session (in every tab). */
export async function closeSession() {
  await fetch('/session', { method: 'DELETE', headers: FROM_DASHBOARD });
}

/** An error answered by the API, with its code, both languages and, when the API names one,
 * the input field it refuses (`extensions.field`, the field's name in the mutation's input). */
export class ApiError extends Error {
  constructor(message, messageEn, code, field = null) {
    super(message);
    this.messageEn = messageEn || message;
    this.code = code || 'INTERNAL';
    this.field = field;
  }
}

/**
 * Sends one GraphQL request and returns its data, or throws the first error. With `file`, the
 * request is a GraphQL multipart upload whose file is the `$file` variable.
 */
export async function gql(query, variables = {}, { anonymous = false, file = null } = {}) {
  let body = JSON.stringify({ query, variables });
  const headers = { ...FROM_DASHBOARD };
  if (file) {
    body = new FormData();
    body.append('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
    body.append('map', JSON.stringify({ 0: ['variables.file'] }));
    body.append('0', file, file.name);
  } else {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch('/graphql', {
    method: 'POST',
    headers,
    credentials: anonymous ? 'omit' : 'same-origin',
    body,
  });
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new ApiError(`Réponse illisible du service (HTTP ${response.status}).`,
      `Unreadable answer from the service (HTTP ${response.status}).`);
  }
  if (answer.errors && answer.errors.length) {
    const first = answer.errors[0];
    throw new ApiError(first.message, first.extensions?.messageEn, first.extensions?.code, first.extensions?.field);
  }
  return answer.data;
}

/**
 * Subscribes to the CPTS's events; calls `onEvent(event)` for each. Reconnects after a drop.
 * Returns a function that stops it.
 */
export function subscribeEvents(onEvent, onState = () => {}) {
  return subscribe('subscription { events { position eventType aggregateType aggregateId } }', 'events', onEvent, onState);
}

/**
 * Subscribes to the signed-in member's new notifications; calls `onNotification(n)` for each.
 * Reconnects after a drop. Returns a function that stops it.
 */
export function subscribeNotifications(onNotification, onState = () => {}) {
  return subscribe('subscription { notificationAdded { key title read } }', 'notificationAdded', onNotification, onState);
}

/** One subscription on a socket of its own: `onData` gets each `field` it pushes. */
function subscribe(query, field, onData, onState) {
  let socket;
  let stopped = false;
  let retry;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/graphql/ws`, 'graphql-transport-ws');
    socket.addEventListener('open', () => {
      // The session's cookie went with the socket's opening: nothing to add.
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    });
    socket.addEventListener('message', (message) => {
      const data = JSON.parse(message.data);
      if (data.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: field, type: 'subscribe', payload: { query } }));
        onState(true);
      } else if (data.type === 'next' && data.payload?.data?.[field]) {
        onData(data.payload.data[field]);
      } else if (data.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.addEventListener('close', () => {
      // A subscription stopped on purpose says nothing more: a newer one may be live already.
      if (stopped) return;
      onState(false);
      retry = setTimeout(open, 3000);
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}

// The dashboard's only link to the service: GraphQL over HTTP at /graphql, and the `events`
// and `notificationAdded` subscriptions over WebSocket at /graphql/ws (graphql-transport-ws
// protocol).

const TOKEN_KEY = 'cpts-ledger-token';

/** The API token of this tab, if signed in (kept for the tab only, in sessionStorage). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps (or forgets, with null) the tab's API token. */
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
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

/** Sends one GraphQL request and returns its data, or throws the first error. */
export async function gql(query, variables = {}, { anonymous = false } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  const secret = token();
  if (secret && !anonymous) headers.Authorization = `Bearer ${secret}`;
  const response = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Réponse illisible du service (HTTP ${response.status}).`,
      `Unreadable answer from the service (HTTP ${response.status}).`);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions?.messageEn, first.extensions?.code, first.extensions?.field);
  }
  return body.data;
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
      socket.send(JSON.stringify({
        type: 'connection_init',
        payload: { Authorization: `Bearer ${token()}` },
      }));
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
      onState(false);
      if (!stopped) retry = setTimeout(open, 3000);
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}

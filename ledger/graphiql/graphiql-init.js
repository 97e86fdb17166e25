// Starts GraphiQL against this service: queries and mutations over HTTP at /graphql (an API token
// goes in the Headers tab as {"Authorization": "Bearer cpts_…"}), subscriptions over WebSocket at
// /graphql/ws. Every script comes from the service itself, so it works on a closed network.
(function () {
  function endpoint(path, websocket) {
    const url = new URL(path, window.location.origin);
    if (websocket) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }
  const fetcher = GraphiQL.createFetcher({
    url: endpoint('/graphql', false),
    subscriptionUrl: endpoint('/graphql/ws', true),
  });
  // A link may carry the query to open: /graphql?query=…
  const query = new URLSearchParams(window.location.search).get('query') || undefined;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, query, defaultEditorToolsVisibility: true }),
  );
})();

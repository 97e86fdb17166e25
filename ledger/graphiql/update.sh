#!/usr/bin/env bash
# Refreshes the GraphiQL assets the service serves from its binary at /graphql/assets/, so that
# GraphiQL works on a closed network. Takes the pinned versions from the npm registry:
#
#   ledger/graphiql/update.sh [GRAPHIQL_VERSION] [REACT_VERSION]
#
# GraphiQL 3 is the last major version shipping a browser bundle that runs without a build step.
set -euo pipefail
graphiql=${1:-3.8.3}
react=${2:-18.3.1}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "graphiql@$graphiql" "react@$react" "react-dom@$react" >/dev/null
for name in graphiql react react-dom; do
  mkdir "$name" && tar xzf "$name"-*.tgz -C "$name" --strip-components=1
done
cp graphiql/graphiql.min.js graphiql/graphiql.min.css react/umd/react.production.min.js \
  react-dom/umd/react-dom.production.min.js "$here/"
# No source maps: the service does not serve them, and a browser asking would log a failure.
sed -i '/sourceMappingURL=/d' "$here/graphiql.min.js" "$here/graphiql.min.css"
{
  echo "graphiql $graphiql:"; cat graphiql/LICENSE; echo
  echo "react $react and react-dom $react:"; cat react/LICENSE
} >"$here/LICENSES.txt"
echo "GraphiQL $graphiql and React $react copied to $here"

// Who is browsing, and the hooks pages call back into the shell (`app.js`): one object, so that
// every module reads the same signed-in viewer.

export const session = {
  /** Who is signed in: the answer of `viewer`, or null. */
  viewer: null,
  /** The name of the CPTS browsed without a token. */
  publicCommunityName: '',
  /** How many notifications of the signed-in member are unread (null: not known, or no member). */
  unread: null,
};

/** The shell's functions, set by `app.js`: pages re-render and re-boot through them. */
export const shell = {
  /** Renders the page of the current hash (`{ keepFocus, fromLive }`). */
  render: async () => {},
  /** Reads who is signed in again, restarts the live updates and renders. */
  boot: async () => {},
  /** Reads who is signed in (throws if the token is refused). */
  loadViewer: async () => {},
};

/** The CPTS named in the address (`?cpts=…`), for public browsing. */
export const communityParam = () => new URLSearchParams(location.search).get('cpts')
  || new URLSearchParams(location.hash.split('?')[1] || '').get('cpts');
/** Whether the caller reads everything of the CPTS (coordinator, board member, auditor). */
export const isStaff = () => Boolean(session.viewer?.readsEverything);
/** The caller's role: `coordinator`, `board_member`, `auditor`, `representative`, … or `public`. */
export const role = () => session.viewer?.role || 'public';
/** Whether the caller records the CPTS's governance (the coordinator). */
export const canWrite = () => role() === 'coordinator';
/** Whether the caller drafts and publishes answers. */
export const canAnswer = () => role() === 'coordinator' || role() === 'board_member';

/* The agent desk's page (templates/agents/desk.html): one module per concern, put together here.
 *
 *   lib/        shared with the supervisor view: DOM helpers, words, dates, the socket, reasons
 *   desk/desk.js        the controller: events, the list, the conversation, the composer's submit
 *   desk/state.js       pure state: unread counts, versions, ordering (node --test tests/js/)
 *   desk/render-message.js, desk/rich.js, desk/templates.js   how messages and templates show
 *   desk/keys.js, desk/compose.js, desk/canned.js, desk/notes.js   the composer
 *   desk/notify.js, desk/tab-badge.js, desk/presence.js   telling the agent, presence
 *   desk/labels.js, desk/customer-panel.js   labels and dialogs, the customer panel
 */
import { desk, start } from "./desk/desk.js";
import "./desk/labels.js";
import "./desk/canned.js";
import "./desk/notes.js";
import "./desk/customer-panel.js";

// For the browser tests (and the curious): drop the socket, read the state, send a command.
window.occDesk = desk;
start();

/* The supervisor view's page (templates/agents/supervisor.html): the board (queues, agents,
 * open interactions, charts; supervisor/board.js) and watching one conversation
 * (supervisor/watch.js), on the socket shared with the desk (lib/socket.js). */
import { start } from "./supervisor/board.js";
import "./supervisor/watch.js";

start();

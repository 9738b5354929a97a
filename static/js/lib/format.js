/* Dates, times and durations in the page's language (<html lang>). */
import { gettext } from "./i18n.js";

const LANG = (typeof document !== "undefined" && document.documentElement.lang) || undefined;

// "1 dic, 08:07".
export function timeOf(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(LANG, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

// "3 min ago", "2 h ago"; older than a day, the date and time.
export function ago(iso, now) {
  if (!iso) return "";
  const seconds = Math.round((new Date(iso).getTime() - (now === undefined ? Date.now() : now)) / 1000);
  const words = new Intl.RelativeTimeFormat(LANG, { numeric: "auto", style: "short" });
  if (seconds > -60) return words.format(0, "second");
  if (seconds > -3600) return words.format(Math.round(seconds / 60), "minute");
  if (seconds > -86400) return words.format(Math.round(seconds / 3600), "hour");
  return timeOf(iso);
}

export function clock(options) {
  return new Intl.DateTimeFormat(LANG, options || { hour: "2-digit", minute: "2-digit" });
}

// "42 s", "3 min 5 s", "2 h 10 min"; `withSeconds` false drops the seconds after the first minute.
export function duration(seconds, withSeconds) {
  seconds = Math.max(0, Math.round(seconds || 0));
  if (seconds < 60) return seconds + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min" + (withSeconds === false ? "" : " " + (seconds % 60) + " s");
  return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
}

// An interaction's state, in words.
export function stateName(state) {
  const names = { queued: gettext("queued"), assigned: gettext("assigned"), closed: gettext("closed") };
  return names[state] || state;
}
// An agent's presence, in words.
export function presenceName(presence) {
  const names = { online: gettext("Online"), away: gettext("Away"), offline: gettext("Offline") };
  return names[presence] || presence;
}

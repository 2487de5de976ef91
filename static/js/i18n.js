/* Texts come translated from the server (admin/pages.py, client_strings) so one catalog serves
 * both sides; this module fills their {placeholders} and formats numbers and dates in the
 * page's language. tests/test_pages.py checks that every text the modules use is sent.
 */
import { config } from "./config.js";

export const S = config.strings;
export const numbers = new Intl.NumberFormat(config.locale);
const pluralRules = new Intl.PluralRules(config.locale);
const dates = new Intl.DateTimeFormat(config.locale, { dateStyle: "medium", timeStyle: "short" });
const times = new Intl.DateTimeFormat(config.locale, { timeStyle: "medium" });

/** "{name}" placeholders filled from vars; unknown ones are left as written. */
export function fmt(template, vars) {
  return String(template).replace(/\{(\w+)\}/g, (match, key) =>
    vars && vars[key] !== undefined && vars[key] !== null ? String(vars[key]) : match);
}

/** entry is {one, other} from the server's _plural; Intl picks the form. */
export function plural(entry, count, vars) {
  const text = entry[pluralRules.select(count)] || entry.other;
  return fmt(text, Object.assign({ count: numbers.format(count) }, vars || {}));
}

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dates.format(date);
}

/** A moment soon to come, to the second (a retry's next attempt). */
export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : times.format(date);
}

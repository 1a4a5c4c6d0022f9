/**
 * Whether to colour a stream, strongest first: `--color` / `--no-color` (a flag given for this run wins, as
 * https://no-color.org asks), then NO_COLOR (set and not empty: off), FORCE_COLOR (on unless "0" or "false"),
 * TERM=dumb (off: a terminal that cannot show escape codes), and last whether the stream is a terminal.
 * So `--color` colours a pipe (`| less -R`), and CI logs stay plain unless asked.
 */
export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

/**
 * Reading a tool's result (METHOD §2): normal output, including none, means the step worked; an error,
 * a stack trace, a missing command or file, a refused connection or a non-zero exit status means it did not.
 */
import { quote, type NextStateReading } from './reading.ts';

interface ErrorSign {
  pattern: RegExp;
  /** What to do differently, written into the hint. */
  advice: string;
}

// Checked in order: the first sign that fits gives the advice. Every pattern is linear in the output: no
// unbounded run is scanned again from each of its characters (an indented "at" line starts after spaces
// within its line, not across blank lines; "Hunk #1 FAILED" is matched word by word, not across the line).
const ERROR_SIGNS: ErrorSign[] = [
  { pattern: /command not found|not recognized as an internal or external command|: not found$/im, advice: 'Check the command name for typos and use a program that is installed.' },
  { pattern: /no such file or directory|cannot find the (?:file|path)|ENOENT/i, advice: 'Check that the path exists (list the directory first) before using it.' },
  { pattern: /permission denied|EACCES|operation not permitted|access is denied/i, advice: 'Use a location the agent may write to, or a command that needs no extra permission.' },
  { pattern: /^\S+:\d+:\d+: (?!warning|note)|\bundefined(?::| reference| symbol| variable| method| name)/im, advice: 'Fix the reported line in the code before building or running it again.' },
  { pattern: /traceback \(most recent call last\)|^[^\S\n\r\u2028\u2029]+at \S.*:\d+(?::\d+)?\)?$|^\w*(?:Error|Exception)\b|exception in thread|panicked at|segmentation fault|core dumped/im, advice: 'Read the error, fix its cause in the code, then run it again.' },
  { pattern: /missing required (?:argument|parameter|field)|invalid (?:argument|option|parameter|value)|unknown (?:option|argument|flag)|usage:/i, advice: 'Call it with the arguments it documents, using their exact names.' },
  { pattern: /\b[45]\d\d (?:Not Found|Bad Request|Unauthorized|Forbidden|Internal Server Error|Service Unavailable|Bad Gateway)\b|\bHTTP [45]\d\d\b/i, advice: 'Check the URL and the request before trying again.' },
  { pattern: /connection refused|could not connect|failed to connect|network is unreachable|name or service not known|ECONNREFUSED/i, advice: 'Make sure the service is running and the host and port are right.' },
  { pattern: /timed out|timeout|\bkilled\b/i, advice: 'Use a faster command or a shorter wait; this one did not finish in time.' },
  { pattern: /patch (?:failed|does not apply)|merge conflict|hunks? (?:#\d+ )?failed/i, advice: 'Base the patch on the current file contents.' },
  { pattern: /no element|not found|no matching|does not exist|doesn't exist|could not find|couldn't find|unable to locate/i, advice: 'Look at what is actually there before acting on it.' },
  { pattern: /exit(?:ed)? (?:with )?(?:code|status)\s*(?::\s*)?[1-9]|returned non-zero|non-zero exit|^exit [1-9]\d*$/im, advice: 'Read the output for the cause of the failure and fix it before retrying.' },
  { pattern: /"(?:ok|success|succeeded)"\s*:\s*false/i, advice: 'Read the reason the tool gave and change the call to avoid it.' },
  { pattern: /"(?:error|errors?)"\s*:\s*(?!null|false|\[\]|""|0\b)|\b(?:error|fatal|failed|failure|fail)\b|\berr!|\b(?:cannot|can't|could not|couldn't|unable to)\b/i, advice: 'Read the error message and change the step to avoid it.' },
];

// Phrases that mention failure words but report none ("0 failed", "no errors", "error: null").
const ALL_CLEAR = /\b(?:0|no|zero|without)\s+(?:errors?|failures?|failed|warnings?|problems?)\b|\berrors?\s*[:=]\s*(?:0|none|null)\b|"errors?"\s*:\s*(?:null|false|\[\]|""|0)/gi;

/** A shell's or a coreutils program's own error line, as a failed command of a pipeline leaves it in the output. */
const PIPELINE_FAILURE = /^(?:bash|sh|ls|cat|head|wc|grep|mv|rm|mkdir|touch|echo): .*(?:command not found|No such file or directory|cannot access .*|Not a directory|Is a directory)$/m;

/** `readToolResult(output, step)`: +1 for normal output, -1 with a hint for an error. */
export function readToolResult(output: string, step: string): NextStateReading {
  // The terminal's format states the exit status first: status 0 worked, whatever its output says (a log full of "error").
  // Unless an earlier command of a pipeline failed on its own: its shell or coreutils error line is there (`ls logs | wc -l` exits 0).
  if (/^exit 0(?:\n|$)/.test(output)) {
    const failed = PIPELINE_FAILURE.exec(output)?.[0];
    if (!failed) return { score: 1, because: 'The command exited with status 0.', hint: null };
    const sign = ERROR_SIGNS.find((s) => s.pattern.test(failed))!;
    return { score: -1, because: `A command of the pipeline failed: ${quote(failed)}.`, hint: `The step ${quote(step)} failed with ${quote(failed)}. ${sign.advice}` };
  }
  const text = output.replace(ALL_CLEAR, ' ');
  const sign = ERROR_SIGNS.find((s) => s.pattern.test(text));
  if (!sign) {
    const shown = output.trim() === '' ? 'no output, as a successful quiet command does' : 'normal output with no error';
    return { score: 1, because: `The tool returned ${shown}.`, hint: null };
  }
  const line = firstErrorLine(text, sign.pattern);
  return {
    score: -1,
    because: `The tool reported an error: ${quote(line)}.`,
    hint: `The step ${quote(step)} failed with ${quote(line)}. ${sign.advice}`,
  };
}

function firstErrorLine(text: string, pattern: RegExp): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // A stack trace names its error on the last line; other tools on the first line that matches.
  const matching = lines.filter((l) => pattern.test(l));
  const named = [...lines].reverse().find((l) => /^\w*(?:Error|Exception)\b/.test(l));
  return named ?? matching[0] ?? lines[0] ?? text.trim();
}

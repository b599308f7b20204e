import { useEffect, useState } from 'preact/hooks';
import type { Recording } from '../lib/recorder.js';
import { clock } from './AudioPlayer.js';
import { Glyph } from './glyphs.js';

/** Long enough for a spoken message; the recording is sent when it reaches this. */
const MAX_MS = 10 * 60 * 1000;

/** Why recording could not start, in words a person can act on. */
function micProblem(err: unknown): string {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Parley may not use your microphone. Allow it for this site in the browser (the icon beside the address), then try again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found. Connect one and try again.';
  if (name === 'NotReadableError')
    return 'The microphone is busy in another program. Close it there and try again.';
  if (name === 'NotSupportedError') return 'This browser cannot record voice notes.';
  return 'Recording could not start. Try again.';
}

/**
 * The composer's voice notes: Record asks for the microphone (the recorder is
 * loaded only then), shows the time running, and Send hands the note over as a
 * file; Cancel throws it away. Leaving the chat cancels a recording.
 */
export function VoiceNote(props: { onRecorded: (file: File, durationMs: number) => void }) {
  const [rec, setRec] = useState<Recording | null>(null);
  const [since, setSince] = useState(0);
  const [now, setNow] = useState(0);
  const [problem, setProblem] = useState('');
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (!rec) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => {
      clearInterval(t);
      rec.cancel();
    };
  }, [rec]);

  async function begin() {
    setProblem('');
    setStarting(true);
    try {
      const { record } = await import('../lib/recorder.js');
      const r = await record();
      setSince(Date.now());
      setNow(Date.now());
      setRec(r);
    } catch (err) {
      setProblem(micProblem(err));
    } finally {
      setStarting(false);
    }
  }

  async function send() {
    if (!rec) return;
    try {
      const file = await rec.stop();
      const durationMs = Date.now() - since;
      setRec(null);
      if (file.size) props.onRecorded(file, durationMs);
      else setProblem('Nothing was recorded. Try again.');
    } catch (err) {
      setRec(null);
      setProblem(micProblem(err));
    }
  }

  const elapsed = Math.max(0, now - since);
  useEffect(() => {
    if (rec && elapsed >= MAX_MS) void send();
  }, [rec, elapsed >= MAX_MS]);

  if (rec)
    return (
      <div class="voice-bar" role="group" aria-label="Recording a voice note">
        <span class="rec-dot" aria-hidden="true" />
        <span class="rec-time" role="timer">
          Recording {clock(elapsed / 1000)}
        </span>
        <button type="button" class="link" onClick={() => setRec(null)}>
          Cancel
        </button>
        <button type="button" onClick={() => void send()}>
          Send voice note
        </button>
      </div>
    );
  return (
    <>
      <button
        type="button"
        class="record icon-button"
        disabled={starting}
        aria-label="Record a voice note"
        title="Record a voice note"
        onClick={() => void begin()}
      >
        <Glyph name="mic" />
      </button>
      {problem && (
        <p class="composer-note error mic-problem" role="alert">
          {problem}{' '}
          <button type="button" class="link" onClick={() => setProblem('')}>
            Dismiss
          </button>
        </p>
      )}
    </>
  );
}

/**
 * A short two-note chime made with WebAudio: no file to fetch (the CSP allows
 * none to be needed), nothing played before the user has switched sound on.
 */
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    return ctx;
  } catch {
    return null; // no audio output, or WebAudio unavailable
  }
}

/** Called from a click (the switch, "Play a test sound"), so the browser lets audio start. */
export function unlockSound(): void {
  context();
}

export function chime(): void {
  const c = context();
  if (!c || c.state !== 'running') return;
  const t = c.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    const start = t + i * 0.12;
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.12, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
    osc.connect(gain).connect(c.destination);
    osc.start(start);
    osc.stop(start + 0.22);
  }
}

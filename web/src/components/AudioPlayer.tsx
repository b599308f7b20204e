import { useRef, useState } from 'preact/hooks';

/** Seconds as a clock: 0:07, 3:25, 1:02:03. */
export function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–:––';
  const t = Math.floor(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * A sound file or voice note in a message: play/pause, a seek bar, position
 * and length. A browser's own recordings (MediaRecorder WebM) carry no length
 * in their header, so the player seeks far past the end once to learn it.
 */
export function AudioPlayer(props: { src: string; name: string }) {
  const el = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [pos, setPos] = useState(0);
  const [length, setLength] = useState(NaN);
  const probing = useRef(false);

  function learnLength() {
    const a = el.current;
    if (!a) return;
    if (Number.isFinite(a.duration)) {
      setLength(a.duration);
      if (probing.current) {
        probing.current = false;
        a.currentTime = 0;
      }
    } else if (a.duration === Infinity && !probing.current) {
      probing.current = true;
      a.currentTime = 1e7;
    }
  }

  return (
    <div class="audio-player" role="group" aria-label={props.name}>
      <button
        type="button"
        class="play"
        aria-label={playing ? `Pause ${props.name}` : `Play ${props.name}`}
        onClick={() => {
          const a = el.current;
          if (!a) return;
          if (a.paused) void a.play().catch(() => setPlaying(false));
          else a.pause();
        }}
      >
        {playing ? '❚❚' : '▶'}
      </button>
      <input
        type="range"
        min={0}
        max={Number.isFinite(length) ? length : 0}
        step="any"
        value={pos}
        aria-label={`Position in ${props.name}`}
        aria-valuetext={clock(pos)}
        onInput={(e) => {
          const a = el.current;
          const v = Number(e.currentTarget.value);
          if (a && Number.isFinite(v)) a.currentTime = v;
          setPos(v);
        }}
      />
      <span class="audio-time">
        {clock(pos)} / <span class="audio-length">{clock(length)}</span>
      </span>
      <audio
        ref={el}
        src={props.src}
        preload="metadata"
        onLoadedMetadata={learnLength}
        onDurationChange={learnLength}
        onTimeUpdate={(e) => {
          if (!probing.current) setPos(e.currentTarget.currentTime);
        }}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
      />
    </div>
  );
}

import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFitInside } from './useFitInside.js';

type Props = { label: string; onPick: (emoji: string) => void; onClose: () => void };
let loaded: ComponentType<Props> | null = null;

/** The emoji picker, fetched (code and data) the first time one is opened. */
export function LazyEmojiPicker(props: Props) {
  const [Picker, setPicker] = useState<ComponentType<Props> | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useFitInside(box);
  useEffect(() => {
    if (Picker) return;
    let live = true;
    import('./EmojiPicker.js')
      .then((m) => {
        loaded = m.default;
        if (live) setPicker(() => m.default);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, []);
  if (Picker) return <Picker {...props} />;
  return (
    <div
      class="emoji-picker-loading"
      ref={box}
      role="dialog"
      aria-label={props.label}
      onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
    >
      <p class={failed ? 'error' : 'hint'}>
        {failed ? 'The emoji picker could not be loaded.' : 'Loading emoji…'}
      </p>
    </div>
  );
}

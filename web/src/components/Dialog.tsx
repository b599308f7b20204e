import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';
import './dialog.css';

/**
 * A small modal dialog (the browser's <dialog>: it keeps the focus inside,
 * Escape closes it, and the focus goes back where it was), opened with its
 * first field focused. A click on the dimmed page around it closes it too.
 */
export function Dialog(props: { title: string; close: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useLayoutEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    // The first field, not the Close button the browser would pick.
    d?.querySelector<HTMLElement>('input, select, textarea')?.focus();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={id}
      onClose={props.close}
      onClick={(e) => {
        if (e.target === ref.current) ref.current?.close();
      }}
    >
      <div class="dialog-body">
        <header class="dialog-head">
          <h2 id={id}>{props.title}</h2>
          <button
            type="button"
            class="icon-button"
            aria-label="Close"
            onClick={() => ref.current?.close()}
          >
            <span aria-hidden="true">✕</span>
          </button>
        </header>
        {props.children}
      </div>
    </dialog>
  );
}

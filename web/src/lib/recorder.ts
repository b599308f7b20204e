/**
 * Recording a voice note with MediaRecorder (loaded only when the person
 * presses Record): Opus in WebM where the browser has it (Chromium, Firefox),
 * else Ogg or MP4, whatever it offers. The microphone is released on stop and
 * on cancel.
 */
export interface Recording {
  /** Stops and gives the note as a file. */
  stop(): Promise<File>;
  /** Stops and throws it away. */
  cancel(): void;
}

const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];

export async function record(): Promise<Recording> {
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined')
    throw new DOMException('this browser cannot record sound', 'NotSupportedError');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const release = () => stream.getTracks().forEach((t) => t.stop());
  let rec: MediaRecorder;
  try {
    const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    rec = new MediaRecorder(stream, mimeType ? { mimeType } : {});
  } catch (err) {
    release();
    throw err;
  }
  const chunks: Blob[] = [];
  rec.ondataavailable = (e) => {
    if (e.data.size) chunks.push(e.data);
  };
  rec.start(1000);
  return {
    stop: () =>
      new Promise<File>((resolve, reject) => {
        rec.onstop = () => {
          release();
          const type = (rec.mimeType || 'audio/webm').split(';')[0]!;
          const ext = type.endsWith('ogg') ? 'ogg' : type.endsWith('mp4') ? 'm4a' : 'webm';
          const at = new Date().toISOString().slice(0, 16).replace('T', ' ').replace(':', '.');
          resolve(new File(chunks, `Voice note ${at}.${ext}`, { type }));
        };
        rec.onerror = () => {
          release();
          reject(new DOMException('the recording failed', 'AbortError'));
        };
        if (rec.state === 'inactive') rec.onstop(new Event('stop'));
        else rec.stop();
      }),
    cancel() {
      rec.onstop = null;
      if (rec.state !== 'inactive') rec.stop();
      release();
    },
  };
}

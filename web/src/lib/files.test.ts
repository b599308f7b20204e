import { describe, expect, it } from 'vitest';
import { filesLine } from './files.js';

describe('files in words', () => {
  it('a preview line for a message of files alone', () => {
    const f = (name: string, type: string) => ({ name, type });
    expect(filesLine([f('Voice note 2026-12-07 21.40.webm', 'audio/webm')])).toBe('🎤 Voice note');
    expect(filesLine([f('song.mp3', 'audio/mpeg')])).toBe('🎤 song.mp3');
    expect(filesLine([f('a.jpg', 'image/jpeg')])).toBe('📷 Photo');
    expect(filesLine([f('a.jpg', 'image/jpeg'), f('b.png', 'image/png')])).toBe('📷 2 photos');
    expect(filesLine([f('clip.mp4', 'video/mp4')])).toBe('🎬 Video');
    expect(filesLine([f('plan.pdf', 'application/pdf')])).toBe('📎 plan.pdf');
    expect(filesLine([f('a.jpg', 'image/jpeg'), f('plan.pdf', 'application/pdf')])).toBe(
      '📎 2 files',
    );
    expect(filesLine(undefined)).toBe('📎 File');
    expect(filesLine([])).toBe('📎 File');
  });
});

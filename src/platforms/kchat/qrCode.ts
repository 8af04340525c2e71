/** The invitation's `qr_code`, for handing it over in person. The reference types it as a string without saying
 * more: a `data:image/…;base64,` URL is uploaded to the inviter's direct channel as an image the chat shows (chat
 * markdown does not render data URLs); an https URL is shown as a markdown image; anything else is left out.
 * Like the link it encodes, it is read from Infomaniak each time, never stored or logged. */
import type { MattermostApi } from '../mattermost/api.js';

const DATA_URL = /^data:(image\/(?:png|jpeg|gif|svg\+xml));base64,([A-Za-z0-9+/=\s]+)$/;
const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
};
/** Far above a QR code's size; a larger answer is not posted. */
const MAX_BYTES = 512 * 1024;

export type QrCode = { kind: 'image'; mime: string; bytes: Buffer } | { kind: 'url'; url: string };

export function parseQrCode(raw: string | undefined): QrCode | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const data = DATA_URL.exec(value);
  if (data) {
    const bytes = Buffer.from(data[2]!.replace(/\s/g, ''), 'base64');
    return bytes.length && bytes.length <= MAX_BYTES ? { kind: 'image', mime: data[1]!, bytes } : undefined;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !/[\s<>()`]/.test(url.href) ? { kind: 'url', url: url.href } : undefined;
  } catch {
    return undefined;
  }
}

/** Posts the image into the inviter's direct channel, with a caption. */
export async function postQrImage(
  chat: MattermostApi,
  inviterId: string,
  qr: Extract<QrCode, { kind: 'image' }>,
  caption: string,
): Promise<void> {
  const channelId = await chat.directChannel(inviterId);
  const form = new FormData();
  form.append('channel_id', channelId);
  form.append('files', new Blob([new Uint8Array(qr.bytes)], { type: qr.mime }), `invitation-qr.${EXTENSIONS[qr.mime]}`);
  const uploaded = (await chat.client.uploadFile(form as never)) as { file_infos?: { id?: string }[] };
  const fileId = uploaded.file_infos?.[0]?.id;
  if (!fileId) throw new Error('kChat stored no file for the QR code');
  await chat.client.createPost({ channel_id: channelId, message: caption, file_ids: [fileId] } as never);
}

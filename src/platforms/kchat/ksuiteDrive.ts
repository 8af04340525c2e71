/** Whether KDRIVE_ID is the organization's kSuite drive, asked once (two calls) and then kept: kSuite access
 * already opens that drive, so the bot does not ask for access to it again and only sets the chosen right. */
import type { InfomaniakApi } from './infomaniakApi.js';

export class KsuiteDrive {
  private answer: Promise<boolean> | undefined;

  constructor(
    private readonly ik: Pick<InfomaniakApi, 'accountKsuiteId' | 'accountDrives'>,
    private readonly driveId: number,
  ) {}

  /** A failed look-up is asked again next time, so a passing error does not stick. */
  isKsuiteDrive(): Promise<boolean> {
    this.answer ??= this.lookUp().catch((err: unknown) => {
      this.answer = undefined;
      throw err;
    });
    return this.answer;
  }

  private async lookUp(): Promise<boolean> {
    const ksuiteId = await this.ik.accountKsuiteId();
    if (ksuiteId === null) return false;
    const drive = (await this.ik.accountDrives()).find((d) => d.id === this.driveId);
    return drive?.ksuiteId === ksuiteId;
  }
}

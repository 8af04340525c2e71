/** GET / where the playground is not served: a short status page (HTML, or JSON for `Accept: application/json`)
 * with the version and whether each configured platform is connected. Nothing else: the page is public. */
import express, { type Router } from 'express';
import { type Org, PAGE_CSS_HASH } from '../../views/pages/layout.js';
import { statusPage } from '../../views/setup/statusPage.js';
import { originOf, setPageSecurityHeaders } from './pageSecurity.js';

export interface PlatformStatus {
  /** mattermost, kchat or slack. */
  platform: string;
  /** How the page names it. */
  name: string;
  connected(): boolean;
}

export function statusRouter(deps: {
  org: Org;
  version: string;
  platforms: PlatformStatus[];
  setupUrl?: string;
}): Router {
  return express.Router().get('/', (req, res) => {
    const platforms = deps.platforms.map((p) => ({ platform: p.platform, name: p.name, connected: p.connected() }));
    res.vary('Accept');
    if (req.accepts(['html', 'json']) === 'json') {
      res.set('Cache-Control', 'no-store');
      return void res.json({
        name: 'guestlist',
        version: deps.version,
        platforms: platforms.map(({ platform, connected }) => ({ platform, connected })),
      });
    }
    const logo = originOf(deps.org.logoUrl);
    setPageSecurityHeaders(req, res, { styleHashes: [PAGE_CSS_HASH], imageOrigins: logo ? [logo] : [] });
    res.type('html').send(statusPage(deps.org, { version: deps.version, platforms, setupUrl: deps.setupUrl }));
  });
}

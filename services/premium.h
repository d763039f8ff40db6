/* premium — what rotki answers when the user has no premium subscription, which is always the
 * case with pipit (it has no rotki.com account to talk to).
 *
 * GET /api/1/premium/capabilities answers rotki's free tier (get_free_capabilities: tier
 * "Free", the free limits, every feature disabled; minimum_tier null because the tiers come
 * from rotki.com). The routes rotki gates behind premium (@require_premium_user) or a premium
 * capability (@require_premium_capability) answer as rotki does for a free user: 401 without a
 * user, else 403 "Currently logged in user <name> does not have a premium subscription" or
 * "<Feature> is not available for your current subscription tier". PUT /premium/sync answers as
 * rotki's sync without premium: an upload false ("Upload failed."), a download 502. */
#ifndef PIPIT_PREMIUM_H
#define PIPIT_PREMIUM_H

int premium_init(void);

#endif

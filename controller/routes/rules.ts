// `/api/v1/namespaces/{ns}/rules[/{name}]` (`CTL/Rules.scala`): create/update, get, enable/disable, delete, list. Owner only.
import { newRouter } from './router.ts';
import { readRuleStatus, ruleJson, ruleSummary } from '../entities/models/rule.ts';
import type { RuleService } from '../entities/rule-service.ts';
import { bodyOf, jsonBody } from '../middleware/body.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { type AppRouter, identityOf, namespaceOf } from '../middleware/state.ts';
import { booleanParam, entityNameParam, listParams } from './query.ts';

const BASE = '/api/v1/namespaces/:ns/rules';

export function ruleRoutes(rules: RuleService): AppRouter {
  const router = newRouter();
  router.param('ns', resolveNamespace());
  const owner = ownerOnly(namespaceOf);

  router.get([BASE, `${BASE}/`], owner, async (ctx) => {
    const { skip, limit, count } = listParams(ctx, 'rules');
    const namespace = namespaceOf(ctx);
    ctx.body = count ? { rules: await rules.count(namespace, { skip }) } : (await rules.list(namespace, { skip, limit })).map(ruleSummary);
  });

  const path = `${BASE}/:name`;
  router.get(path, owner, async (ctx) => {
    const { rule, status } = await rules.get(namespaceOf(ctx), entityNameParam(ctx));
    ctx.body = ruleJson(rule, status);
  });

  router.put(path, owner, jsonBody(), async (ctx) => {
    const overwrite = booleanParam(ctx, 'overwrite', false);
    const { rule, status } = await rules.put(identityOf(ctx), namespaceOf(ctx), entityNameParam(ctx), bodyOf(ctx), overwrite);
    ctx.body = ruleJson(rule, status);
  });

  // enable/disable: OpenWhisk answers with a plain-text OK, also when the rule already had that status
  router.post(path, owner, jsonBody(), async (ctx) => {
    await rules.setStatus(namespaceOf(ctx), entityNameParam(ctx), readRuleStatus(bodyOf(ctx)));
    ctx.type = 'text/plain';
    ctx.body = 'OK';
  });

  router.delete(path, owner, async (ctx) => {
    ctx.body = ruleJson(await rules.remove(namespaceOf(ctx), entityNameParam(ctx)), 'inactive');
  });

  return router;
}

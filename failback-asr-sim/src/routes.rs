//! The ASR REST routes: the vault's paths matched by hand (ARM paths are
//! case-insensitive, so literal segments are compared without case), each read gated by
//! one lab read (so the lab's faults apply to it) and rendered by [`crate::render`], each
//! mutation handed to [`crate::mutate`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, SecondsFormat, Utc};
use failback_azure::models as m;
use failback_core::estate::Estate;
use failback_core::provider::{JobId, RecoveryProvider, Target};
use serde::Serialize;

use crate::arm::{arm_error, arm_error_at, lab_error, retry_after_value};
use crate::ids::{decode, Names};
use crate::render::View;
use crate::{mutate, Shared};

/// The scheme a listener serves (`http` or `https`), for the URLs the simulator hands out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scheme(pub &'static str);

/// The largest request body read (a mutation's input is a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// One request, as the handlers need it.
pub(crate) struct Ctx {
    /// What the handlers share.
    pub shared: Arc<Shared>,
    /// `scheme://host[:port]` of the request: the base of the URLs handed out.
    pub base: String,
    /// The request's `api-version`.
    pub api_version: String,
    /// The request's path, as sent.
    pub path: String,
    /// The query, as sent.
    pub raw_query: String,
    /// The query, decoded.
    pub query: Vec<(String, String)>,
    /// The request id of the answer.
    pub id: String,
}

impl Ctx {
    /// A query parameter, by name without case.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The lab's recovery side.
    pub(crate) fn recovery(&self) -> Arc<failback_lab::LabRecovery> {
        self.shared.lab.recovery()
    }

    /// A view of the lab over `estate`.
    pub(crate) fn view(&self, estate: Estate) -> View<'_> {
        let lab = &self.shared.lab;
        View {
            lab,
            names: Names::of(&self.shared.settings.vault, &estate),
            now: lab.now(),
            jobs: lab.jobs(),
            items: lab.items().into_iter().map(|v| (v.id.clone(), v)).collect(),
            memo: self.shared.memory.get(),
            vcenter_of_vm: std::cell::OnceCell::new(),
            estate,
        }
    }

    /// A view of the lab's whole estate now (every item's recovery points: a listing).
    pub(crate) fn full_view(&self) -> View<'_> {
        self.view(self.shared.lab.estate())
    }

    /// A view of the lab now for answers about `items` (or none: a job, a plan): only
    /// their recovery points are made, which a poll of one job or item does not need for
    /// every item.
    pub(crate) fn view_of(&self, items: &[&str]) -> View<'_> {
        self.view(self.shared.lab.estate_with_points_of(items))
    }

    /// The vault's path.
    pub(crate) fn vault_path(&self) -> String {
        self.shared.settings.vault.path()
    }

    /// 200 with `body`.
    pub(crate) fn ok<T: Serialize>(&self, body: &T) -> Response {
        (StatusCode::OK, Json(body)).into_response()
    }

    /// 404 for a resource the vault does not have.
    pub(crate) fn not_found(&self, what: &str) -> Response {
        arm_error(
            &self.id,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!(
                "{what} was not found in vault {}",
                self.shared.settings.vault.name
            ),
        )
    }

    /// 400 naming the field at fault.
    pub(crate) fn bad(&self, bad: &mutate::Bad) -> Response {
        arm_error_at(
            &self.id,
            StatusCode::BAD_REQUEST,
            bad.code,
            &bad.target,
            &bad.message,
        )
    }

    /// A lab error's answer.
    pub(crate) fn lab_error(&self, e: &failback_core::Error) -> Response {
        lab_error(&self.id, e)
    }

    /// `{base}V/{what}/{job}?api-version=…`.
    pub(crate) fn operation_url(&self, what: &str, job: &str) -> String {
        format!(
            "{}{}/{what}/{}?api-version={}",
            self.base,
            self.vault_path(),
            crate::ids::segment(job),
            self.api_version
        )
    }

    /// 202 for an accepted mutation whose job is `job`: `Location`
    /// (`…/operationresults/{job}`), `Azure-AsyncOperation`
    /// (`…/replicationOperationStatus/{job}`) and `Retry-After`.
    pub(crate) fn accepted(&self, job: &str) -> Response {
        let mut resp = StatusCode::ACCEPTED.into_response();
        let h = resp.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.operation_url("operationresults", job)) {
            h.insert(header::LOCATION, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.operation_url("replicationOperationStatus", job))
        {
            h.insert("azure-asyncoperation", v);
        }
        h.insert(
            header::RETRY_AFTER,
            retry_after_value(self.shared.settings.retry_after),
        );
        resp
    }

    /// One page of `all` by the request's `skipToken` (an offset), with a `nextLink` (the
    /// same URL with the next offset) when more follow.
    pub(crate) fn page<T: Serialize + Clone>(&self, all: &[T]) -> Response {
        let token = self.param("skipToken").or_else(|| self.param("$skipToken"));
        let start = match token.map(str::parse::<usize>) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                return arm_error_at(
                    &self.id,
                    StatusCode::BAD_REQUEST,
                    "InvalidSkipToken",
                    "skipToken",
                    &format!(
                        "the skipToken {:?} is not one this vault handed out (a nextLink's)",
                        token.unwrap_or_default()
                    ),
                )
            }
        };
        let size = self.shared.settings.page_size.max(1);
        let end = start.saturating_add(size).min(all.len());
        let value = all
            .get(start.min(all.len())..end)
            .unwrap_or_default()
            .to_vec();
        let next_link = (end < all.len()).then(|| {
            let kept: Vec<&str> = self
                .raw_query
                .split('&')
                .filter(|kv| !kv.is_empty())
                .filter(|kv| {
                    let key = kv.split('=').next().unwrap_or_default();
                    let key = decode(key);
                    !key.eq_ignore_ascii_case("skipToken")
                        && !key.eq_ignore_ascii_case("$skipToken")
                })
                .collect();
            let mut query = kept.join("&");
            if !query.is_empty() {
                query.push('&');
            }
            format!("{}{}?{query}skipToken={end}", self.base, self.path)
        });
        self.ok(&m::Page { value, next_link })
    }
}

/// The fallback of the router: every request that passed the bearer and api-version
/// checks.
pub(crate) async fn serve(
    State(shared): State<Arc<Shared>>,
    Extension(scheme): Extension<Scheme>,
    req: Request,
) -> Response {
    let id = shared.request_id();
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(ToString::to_string))
        .unwrap_or_else(|| "localhost".into());
    let raw_query = parts.uri.query().unwrap_or_default().to_string();
    let query = parse_query(&raw_query);
    let api_version = query
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let ctx = Ctx {
        base: format!("{}://{host}", scheme.0),
        api_version,
        path: parts.uri.path().to_string(),
        raw_query,
        query,
        id,
        shared,
    };
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return arm_error(
                &ctx.id,
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestTooLarge",
                &format!("the request body is larger than {MAX_BODY} bytes"),
            )
        }
    };
    route(&ctx, &parts.method, &body).await
}

/// `k=v&…` decoded (`+` as a space, percent-escapes).
fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let d = |s: &str| decode(&s.replace('+', " "));
            (d(k), d(v))
        })
        .collect()
}

fn served_no(ctx: &Ctx, method: &Method) -> Response {
    arm_error(
        &ctx.id,
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("the simulator serves no {method} {}", ctx.path),
    )
}

async fn route(ctx: &Ctx, method: &Method, body: &[u8]) -> Response {
    let segs: Vec<String> = ctx
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    if let ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.compute", "virtualmachines", _] =
        l.as_slice()
    {
        if method == Method::GET {
            return crate::compute::vm(ctx, &segs[1], &segs[3], &segs[7]).await;
        }
        return served_no(ctx, method);
    }
    let prefix = l.len() >= 8
        && l[0] == "subscriptions"
        && l[2] == "resourcegroups"
        && l[4] == "providers"
        && l[5] == "microsoft.recoveryservices"
        && l[6] == "vaults";
    if !prefix {
        return served_no(ctx, method);
    }
    let vault = &ctx.shared.settings.vault;
    if !segs[1].eq_ignore_ascii_case(&vault.subscription) {
        return arm_error(
            &ctx.id,
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            &format!("the subscription '{}' could not be found", segs[1]),
        );
    }
    if !segs[3].eq_ignore_ascii_case(&vault.resource_group) {
        return arm_error(
            &ctx.id,
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            &format!("resource group '{}' could not be found", segs[3]),
        );
    }
    if !segs[7].eq_ignore_ascii_case(&vault.name) {
        return arm_error(
            &ctx.id,
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!(
                "the Resource 'Microsoft.RecoveryServices/vaults/{}' under resource group '{}' was not found",
                segs[7], segs[3]
            ),
        );
    }
    let rest = &segs[8..];
    let r = &l[8..];
    let get = method == Method::GET;
    let post = method == Method::POST;
    match r {
        ["replicationfabrics"] if get => fabrics(ctx, None).await,
        ["replicationfabrics", _] if get => fabrics(ctx, Some(&rest[1])).await,
        ["replicationfabrics", _, "replicationvcenters"] if get => {
            vcenters(ctx, Some(&rest[1]), None).await
        }
        ["replicationfabrics", _, "replicationvcenters", _] if get => {
            vcenters(ctx, Some(&rest[1]), Some(&rest[3])).await
        }
        ["replicationvcenters"] if get => vcenters(ctx, None, None).await,
        ["replicationprotectioncontainers"] if get => containers(ctx, None, None).await,
        ["replicationfabrics", _, "replicationprotectioncontainers"] if get => {
            containers(ctx, Some(&rest[1]), None).await
        }
        ["replicationfabrics", _, "replicationprotectioncontainers", _] if get => {
            containers(ctx, Some(&rest[1]), Some(&rest[3])).await
        }
        ["replicationpolicies"] if get => policies(ctx, None).await,
        ["replicationpolicies", _] if get => policies(ctx, Some(&rest[1])).await,
        ["replicationprotecteditems"] if get => items(ctx, None).await,
        ["replicationfabrics", _, "replicationprotectioncontainers", _, "replicationprotecteditems"]
            if get =>
        {
            items(ctx, Some((&rest[1], &rest[3]))).await
        }
        ["replicationfabrics", _, "replicationprotectioncontainers", _, "replicationprotecteditems", _, tail @ ..] =>
        {
            let (fabric, container, item) = (&rest[1], &rest[3], &rest[5]);
            if let Some(resp) = check_container(ctx, fabric, container) {
                return resp;
            }
            match tail {
                [] if get => item_get(ctx, item).await,
                ["recoverypoints"] if get => points(ctx, item, None).await,
                ["recoverypoints", _] if get => points(ctx, item, Some(&rest[7])).await,
                [action] if post => mutate::item_action(ctx, item, action, body).await,
                _ => served_no(ctx, method),
            }
        }
        ["replicationrecoveryplans"] if get => plans(ctx, None).await,
        ["replicationrecoveryplans", _] if get => plans(ctx, Some(&rest[1])).await,
        ["replicationrecoveryplans", _, action] if post => {
            mutate::plan_action(ctx, &rest[1], action, body).await
        }
        ["replicationjobs"] if get => jobs(ctx).await,
        ["replicationjobs", _] if get => job_get(ctx, &rest[1]).await,
        ["replicationjobs", _, action] if post => {
            mutate::job_action(ctx, &rest[1], action, body).await
        }
        ["operationresults", _] if get => operation_result(ctx, &rest[1]).await,
        ["replicationoperationstatus", _] if get => operation_status(ctx, &rest[1]).await,
        _ => served_no(ctx, method),
    }
}

/// The vault-level read gate of a listing of `what`: the lab's call of it (its latency
/// and faults apply), without making an estate; what passes is rendered from one view of
/// the lab, as a single read renders it, so a list and a get show a resource the same.
async fn listing(ctx: &Ctx, what: &str) -> Result<(), Response> {
    ctx.recovery()
        .list(what)
        .await
        .map_err(|e| ctx.lab_error(&e))
}

/// 404 unless `fabric` (and `container`) are the vault's.
fn check_container(ctx: &Ctx, fabric: &str, container: &str) -> Option<Response> {
    let names = &ctx.shared.names;
    if !fabric.eq_ignore_ascii_case(&names.fabric) {
        return Some(ctx.not_found(&format!("fabric '{fabric}'")));
    }
    if !container.eq_ignore_ascii_case(&names.container) {
        return Some(ctx.not_found(&format!(
            "protection container '{container}' of fabric '{fabric}'"
        )));
    }
    None
}

async fn fabrics(ctx: &Ctx, name: Option<&str>) -> Response {
    if let Err(resp) = listing(ctx, "fabrics").await {
        return resp;
    }
    let view = ctx.view_of(&[]);
    let fabric = view.fabric();
    match name {
        None => ctx.page(&[fabric]),
        Some(n) if n.eq_ignore_ascii_case(&fabric.name) => ctx.ok(&fabric),
        Some(n) => ctx.not_found(&format!("fabric '{n}'")),
    }
}

async fn vcenters(ctx: &Ctx, fabric: Option<&str>, name: Option<&str>) -> Response {
    if let Err(resp) = listing(ctx, "vcenters").await {
        return resp;
    }
    let view = ctx.view_of(&[]);
    if let Some(f) = fabric {
        if !f.eq_ignore_ascii_case(&view.names.fabric) {
            return ctx.not_found(&format!("fabric '{f}'"));
        }
    }
    let all = view.vcenters();
    match name {
        None => ctx.page(&all),
        Some(n) => match all.iter().find(|v| v.name.eq_ignore_ascii_case(n)) {
            Some(v) => ctx.ok(v),
            None => ctx.not_found(&format!("vCenter '{n}'")),
        },
    }
}

async fn containers(ctx: &Ctx, fabric: Option<&str>, name: Option<&str>) -> Response {
    if let Err(resp) = listing(ctx, "containers").await {
        return resp;
    }
    let view = ctx.view_of(&[]);
    if let Some(f) = fabric {
        if !f.eq_ignore_ascii_case(&view.names.fabric) {
            return ctx.not_found(&format!("fabric '{f}'"));
        }
    }
    let container = view.container();
    match name {
        None => ctx.page(&[container]),
        Some(n) if n.eq_ignore_ascii_case(&container.name) => ctx.ok(&container),
        Some(n) => ctx.not_found(&format!("protection container '{n}'")),
    }
}

async fn policies(ctx: &Ctx, name: Option<&str>) -> Response {
    if let Err(resp) = listing(ctx, "policies").await {
        return resp;
    }
    let all = ctx.view_of(&[]).policies();
    match name {
        None => ctx.page(&all),
        Some(n) => match all.iter().find(|p| p.name.eq_ignore_ascii_case(n)) {
            Some(p) => ctx.ok(p),
            None => ctx.not_found(&format!("policy '{n}'")),
        },
    }
}

async fn items(ctx: &Ctx, scope: Option<(&str, &str)>) -> Response {
    if let Some((fabric, container)) = scope {
        if let Some(resp) = check_container(ctx, fabric, container) {
            return resp;
        }
    }
    if let Err(resp) = listing(ctx, "items").await {
        return resp;
    }
    let view = ctx.full_view();
    let all: Vec<m::ReplicationProtectedItem> =
        view.estate.items.iter().map(|it| view.item(it)).collect();
    ctx.page(&all)
}

async fn item_get(ctx: &Ctx, item: &str) -> Response {
    if let Err(e) = ctx.recovery().protection_state(item).await {
        return ctx.lab_error(&e);
    }
    let view = ctx.view_of(&[item]);
    match view.estate.items.iter().find(|it| it.id == item) {
        Some(it) => ctx.ok(&view.item(it)),
        None => ctx.not_found(&format!("replication protected item '{item}'")),
    }
}

async fn points(ctx: &Ctx, item: &str, name: Option<&str>) -> Response {
    let points = match ctx.recovery().recovery_points(item).await {
        Ok(p) => p,
        Err(e) => return ctx.lab_error(&e),
    };
    let view = ctx.view_of(&[]);
    let all: Vec<m::RecoveryPoint> = points.iter().map(|p| view.point(item, p)).collect();
    match name {
        None => ctx.page(&all),
        Some(n) => match all.iter().find(|p| p.name == n) {
            Some(p) => ctx.ok(p),
            None => ctx.not_found(&format!("recovery point '{n}' of item '{item}'")),
        },
    }
}

async fn plans(ctx: &Ctx, name: Option<&str>) -> Response {
    if let Err(resp) = listing(ctx, "plans").await {
        return resp;
    }
    let view = ctx.view_of(&[]);
    match name {
        None => {
            let all: Vec<m::RecoveryPlan> = view
                .estate
                .recovery_plans
                .iter()
                .filter_map(|p| view.plan(&p.name))
                .collect();
            ctx.page(&all)
        }
        Some(n) => match view.plan(n) {
            Some(p) => ctx.ok(&p),
            None => ctx.not_found(&format!("recovery plan '{n}'")),
        },
    }
}

/// A `$filter` of the job list: bounds on the jobs' `startTime`.
#[derive(Debug, Default)]
struct JobFilter {
    after: Vec<(DateTime<Utc>, bool)>,
    before: Vec<(DateTime<Utc>, bool)>,
}

impl JobFilter {
    /// `startTime eq|ge|gt 'T'` (a lower bound: `eq` as ASR's `JobQueryParameter.startTime`,
    /// the start of the window), `startTime le|lt 'T'` and `endTime eq|le|lt 'T'` (upper
    /// bounds of the start time), joined with `and`.
    fn parse(text: &str) -> Result<JobFilter, String> {
        let mut f = JobFilter::default();
        let lowered = text.to_ascii_lowercase();
        let mut clauses = Vec::new();
        let mut from = 0;
        // Split on ` and ` outside quotes.
        let mut quoted = false;
        let bytes = lowered.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            if bytes[k] == b'\'' {
                quoted = !quoted;
            } else if !quoted && lowered[k..].starts_with(" and ") {
                clauses.push(&text[from..k]);
                from = k + 5;
                k += 5;
                continue;
            }
            k += 1;
        }
        clauses.push(&text[from..]);
        for clause in clauses {
            let c = clause.trim();
            let mut words = c.splitn(3, ' ');
            let (field, op, value) = match (words.next(), words.next(), words.next()) {
                (Some(a), Some(b), Some(v)) => {
                    (a.to_ascii_lowercase(), b.to_ascii_lowercase(), v.trim())
                }
                _ => return Err(format!("the clause {c:?} is not `field op 'value'`")),
            };
            let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
                return Err(format!("the value of {c:?} is not quoted ('…')"));
            };
            let t = DateTime::parse_from_rfc3339(inner)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| format!("{inner:?} in {c:?} is not an RFC 3339 time"))?;
            match (field.as_str(), op.as_str()) {
                ("starttime", "eq" | "ge") => f.after.push((t, true)),
                ("starttime", "gt") => f.after.push((t, false)),
                ("starttime", "le") | ("endtime", "eq" | "le") => f.before.push((t, true)),
                ("starttime", "lt") | ("endtime", "lt") => f.before.push((t, false)),
                _ => {
                    return Err(format!(
                        "{c:?}: only startTime (eq, ge, gt, le, lt) and endTime (eq, le, lt) are filtered on"
                    ))
                }
            }
        }
        Ok(f)
    }

    fn keeps(&self, started: DateTime<Utc>) -> bool {
        self.after
            .iter()
            .all(|&(t, inclusive)| if inclusive { started >= t } else { started > t })
            && self
                .before
                .iter()
                .all(|&(t, inclusive)| if inclusive { started <= t } else { started < t })
    }
}

async fn jobs(ctx: &Ctx) -> Response {
    let filter = match ctx.param("$filter").map(JobFilter::parse) {
        None => JobFilter::default(),
        Some(Ok(f)) => f,
        Some(Err(why)) => {
            return arm_error_at(
                &ctx.id,
                StatusCode::BAD_REQUEST,
                "InvalidFilter",
                "$filter",
                &format!("$filter: {why}"),
            )
        }
    };
    if let Err(e) = ctx.recovery().list("jobs").await {
        return ctx.lab_error(&e);
    }
    let view = ctx.view_of(&[]);
    let all: Vec<m::Job> = view
        .jobs
        .iter()
        .filter(|j| filter.keeps(j.started_at))
        .map(|j| view.job(j))
        .collect();
    ctx.page(&all)
}

async fn job_get(ctx: &Ctx, name: &str) -> Response {
    if let Err(e) = ctx.recovery().job(&JobId(name.to_string())).await {
        return ctx.lab_error(&e);
    }
    let view = ctx.view_of(&[]);
    match view.jobs.iter().find(|j| j.status.id.0 == name) {
        Some(j) => ctx.ok(&view.job(j)),
        None => ctx.not_found(&format!("job '{name}'")),
    }
}

/// `GET V/operationresults/{job}`: 202 while the job runs (suspended included), then 200
/// with the job's target (the RPI or the recovery plan) as it is.
async fn operation_result(ctx: &Ctx, name: &str) -> Response {
    let status = match ctx.recovery().job(&JobId(name.to_string())).await {
        Ok(s) => s,
        Err(e) => return ctx.lab_error(&e),
    };
    if !status.state.is_final() {
        let mut resp = StatusCode::ACCEPTED.into_response();
        let h = resp.headers_mut();
        h.insert(
            header::RETRY_AFTER,
            retry_after_value(ctx.shared.settings.retry_after),
        );
        if let Ok(v) = HeaderValue::from_str(&ctx.operation_url("operationresults", name)) {
            h.insert(header::LOCATION, v);
        }
        return resp;
    }
    let Some(target) = ctx.shared.lab.job_target(&status.id) else {
        return ctx.not_found(&format!("job '{name}'"));
    };
    let view = match &target {
        Target::Item(id) => ctx.view_of(&[id.as_str()]),
        Target::RecoveryPlan(_) => ctx.view_of(&[]),
    };
    match &target {
        Target::Item(id) => match view.estate.items.iter().find(|it| &it.id == id) {
            Some(it) => ctx.ok(&view.item(it)),
            None => ctx.not_found(&format!("replication protected item '{id}'")),
        },
        Target::RecoveryPlan(plan) => match view.plan(plan) {
            Some(p) => ctx.ok(&p),
            None => ctx.not_found(&format!("recovery plan '{plan}'")),
        },
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `GET V/replicationOperationStatus/{job}`: ARM's asynchronous operation status of the
/// job (`InProgress` while it runs or waits, with `Retry-After`; `Succeeded`, `Failed`,
/// `Canceled`).
async fn operation_status(ctx: &Ctx, name: &str) -> Response {
    use failback_core::provider::JobState as S;
    let status = match ctx.recovery().job(&JobId(name.to_string())).await {
        Ok(s) => s,
        Err(e) => return ctx.lab_error(&e),
    };
    let ended = ctx
        .shared
        .lab
        .jobs()
        .into_iter()
        .find(|j| j.status.id == status.id)
        .and_then(|j| j.ended_at);
    let word = match status.state {
        S::Succeeded => "Succeeded",
        S::Failed => "Failed",
        S::Cancelled => "Canceled",
        S::NotStarted | S::InProgress | S::Suspended => "InProgress",
    };
    let mut body: HashMap<&str, serde_json::Value> = HashMap::new();
    body.insert(
        "id",
        ctx.operation_url("replicationOperationStatus", name)
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_start_matches(&ctx.base)
            .into(),
    );
    body.insert("name", name.into());
    body.insert("status", word.into());
    if let Some(t) = status.started_at {
        body.insert("startTime", time(t).into());
    }
    if let Some(t) = ended {
        body.insert("endTime", time(t).into());
    }
    if matches!(status.state, S::Failed | S::Cancelled) {
        // The job's own code, else one saying how it ended.
        let fallback = if status.state == S::Cancelled {
            "JobCanceled"
        } else {
            "JobFailed"
        };
        let (code, message) = match &status.error {
            Some(e) => (
                e.code.clone().unwrap_or_else(|| fallback.into()),
                e.message.clone(),
            ),
            None => (fallback.into(), format!("job {name} ended {word}")),
        };
        body.insert(
            "error",
            serde_json::json!({ "code": code, "message": message }),
        );
    }
    let mut resp = ctx.ok(&body);
    if word == "InProgress" {
        // ARM's asynchronous operations: a status not yet terminal says when to poll again.
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            retry_after_value(ctx.shared.settings.retry_after),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_filters_bound_the_start_time() {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .unwrap_or_default()
                .with_timezone(&Utc)
        };
        let f = JobFilter::parse("startTime eq '2026-11-20T10:00:00Z'").unwrap_or_default();
        assert!(f.keeps(t("2026-11-20T10:00:00Z")));
        assert!(f.keeps(t("2026-11-20T11:00:00Z")));
        assert!(!f.keeps(t("2026-11-20T09:59:59Z")));
        let f = JobFilter::parse(
            "StartTime gt '2026-11-20T10:00:00Z' and endTime lt '2026-11-20T12:00:00Z'",
        )
        .unwrap_or_default();
        assert!(!f.keeps(t("2026-11-20T10:00:00Z")));
        assert!(f.keeps(t("2026-11-20T11:00:00Z")));
        assert!(!f.keeps(t("2026-11-20T12:00:00Z")));
        for bad in [
            "startTime eq 2026",
            "jobName eq 'x'",
            "startTime",
            "startTime eq 'yesterday'",
        ] {
            assert!(JobFilter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn queries_decode() {
        assert_eq!(
            parse_query("a=1&%24filter=startTime%20eq%20%27x%27&b=c+d"),
            vec![
                ("a".to_string(), "1".to_string()),
                ("$filter".to_string(), "startTime eq 'x'".to_string()),
                ("b".to_string(), "c d".to_string()),
            ]
        );
    }
}

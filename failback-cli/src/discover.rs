//! `failback discover azure`: read a vault through the Azure Site Recovery adapter and
//! write the Azure half of an estate, combined with an on-premises half and supplemented
//! with an engineer's facts when given, for `failback assess` and `failback plan`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use failback_azure::http::{AsrClientBuilder, StaticToken};
use failback_azure::provider::AzureRecovery;
use failback_core::provider::RecoveryProvider;
use failback_core::Estate;

use crate::READY;

/// The variable of a bearer token to use as it is instead of the credential chain (a
/// simulator's, or `az account get-access-token --query accessToken -o tsv`).
pub const TOKEN_ENV: &str = "FAILBACK_AZURE_TOKEN";

/// What to discover.
#[derive(Subcommand, Debug)]
pub enum Discover {
    /// The Azure half of an estate from a Recovery Services vault: its fabrics (process
    /// servers, master targets or reprotect agents), policies, protected items with their
    /// state and recovery points, the recovery VMs, recovery plans. Credentials: the
    /// environment's service principal (AZURE_TENANT_ID, AZURE_CLIENT_ID,
    /// AZURE_CLIENT_SECRET), else the machine's managed identity, else the Azure CLI's
    /// login; or a bearer token in FAILBACK_AZURE_TOKEN. The subscription is
    /// --subscription or AZURE_SUBSCRIPTION_ID, the ARM endpoint --endpoint or
    /// AZURE_ARM_ENDPOINT (default: the public cloud's).
    Azure(AzureArgs),
}

/// The options of `failback discover azure`.
#[derive(Args, Debug)]
pub struct AzureArgs {
    /// The vault's resource group.
    #[arg(long)]
    resource_group: String,
    /// The vault's name.
    #[arg(long)]
    vault: String,
    /// The subscription id (default: AZURE_SUBSCRIPTION_ID).
    #[arg(long)]
    subscription: Option<String>,
    /// The ARM endpoint (default: AZURE_ARM_ENDPOINT, else the public cloud's,
    /// management.azure.com).
    #[arg(long)]
    endpoint: Option<String>,
    /// A PEM file of an extra CA to trust (a simulator's, a TLS-inspecting proxy's).
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// The on-premises half of the estate (an estate document, as `failback discover
    /// vsphere` will write): combined with what the vault says.
    #[arg(long)]
    onprem: Option<PathBuf>,
    /// An estate document of facts the vault does not know (the region, ExpressRoute,
    /// guest file systems, changed bytes...): they fill only what discovery left unknown.
    #[arg(long)]
    facts: Option<PathBuf>,
    /// Where to write the estate (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

type CliResult = Result<u8, Box<dyn std::error::Error>>;

/// `failback discover …`.
pub fn discover(what: Discover) -> CliResult {
    match what {
        Discover::Azure(args) => azure(args),
    }
}

fn azure(args: AzureArgs) -> CliResult {
    // Read the files first: a bad one fails before the vault is asked anything.
    let onprem = args.onprem.as_ref().map(Estate::from_path).transpose()?;
    let facts = args.facts.as_ref().map(Estate::from_path).transpose()?;
    let mut b = AsrClientBuilder::from_env()
        .with_resource_group(args.resource_group.clone())
        .with_vault(args.vault.clone());
    if let Some(s) = &args.subscription {
        b = b.with_subscription_id(s.clone());
    }
    if let Some(e) = &args.endpoint {
        b = b.with_endpoint(e.clone());
    }
    if let Some(p) = &args.ca_file {
        let pem = std::fs::read(p).map_err(|e| format!("--ca-file {}: {e}", p.display()))?;
        b = b.with_root_certificate_pem(pem);
    }
    if let Ok(token) = std::env::var(TOKEN_ENV) {
        if token.trim().is_empty() {
            return Err(
                format!("{TOKEN_ENV} is set but empty: give the bearer token or unset it").into(),
            );
        }
        b = b.with_credential(Arc::new(StaticToken::new(token)));
    }
    let client = b.build()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut estate = rt.block_on(async {
        let recovery = AzureRecovery::connect(client).await?;
        recovery.discover().await
    })?;
    if let Some(onprem) = onprem {
        estate = Estate::combine(estate, onprem);
    }
    if let Some(facts) = &facts {
        estate = estate.supplement(facts);
    }
    let text = estate.to_json_pretty();
    match &args.out {
        Some(p) => {
            std::fs::write(p, text + "\n").map_err(|e| format!("{}: {e}", p.display()))?;
            eprintln!(
                "{}: {} items of vault {} ({:?} flavour)",
                p.display(),
                estate.items.len(),
                args.vault,
                estate.flavor
            );
        }
        None => println!("{text}"),
    }
    Ok(READY)
}

//! The verify gate's checks: what runs against a failed-back VM before its commit, beyond
//! "the VM runs and its guest answers" (which the on-premises provider tells).
//!
//! [`NetVerifier`] does it for real: a TCP connection to the VM's address, or a command
//! that must exit 0. The lab site has its own verifier that answers from its model, since
//! its VMs and addresses are not on any network.

use std::fmt::Debug;
use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::VmRuntime;
use crate::runbook::CheckSpec;

/// How one check of one item went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// It passed.
    pub ok: bool,
    /// What was seen, for the report and the journal.
    pub detail: String,
}

/// Runs the verify gate's checks.
#[async_trait]
pub trait Verifier: Send + Sync + Debug + 'static {
    /// Run `check` once against `item`'s failed-back VM `vm`, giving up after `timeout`
    /// (of the run's clock for a modelled check, of wall time for a real one). A check
    /// that cannot run (no address to connect to, a command that does not exist) fails
    /// with the reason: it never passes by default.
    async fn check(
        &self,
        item: &str,
        vm: &VmRuntime,
        check: &CheckSpec,
        timeout: Duration,
    ) -> CheckOutcome;
}

/// The address a check reaches a VM on: the first address its guest reports.
pub fn address_of(vm: &VmRuntime) -> Option<IpAddr> {
    vm.nics.iter().find_map(|n| n.ip_address)
}

/// The real checks: TCP connections and commands.
#[derive(Debug, Clone, Copy, Default)]
pub struct NetVerifier;

fn substitute(arg: &str, item: &str, vm: &str, ip: &str) -> String {
    arg.replace("{item}", item)
        .replace("{vm}", vm)
        .replace("{ip}", ip)
}

#[async_trait]
impl Verifier for NetVerifier {
    async fn check(
        &self,
        item: &str,
        vm: &VmRuntime,
        check: &CheckSpec,
        timeout: Duration,
    ) -> CheckOutcome {
        let ip = address_of(vm);
        match check {
            CheckSpec::Tcp { port, .. } => {
                let Some(ip) = ip else {
                    return CheckOutcome {
                        ok: false,
                        detail: format!("{item}: the guest reports no address to connect to"),
                    };
                };
                let addr = std::net::SocketAddr::new(ip, *port);
                match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
                    Ok(Ok(_)) => CheckOutcome {
                        ok: true,
                        detail: format!("{item}: {addr} accepted a connection"),
                    },
                    Ok(Err(e)) => CheckOutcome {
                        ok: false,
                        detail: format!("{item}: {addr} refused: {e}"),
                    },
                    Err(_) => CheckOutcome {
                        ok: false,
                        detail: format!(
                            "{item}: {addr} did not answer within {} s",
                            timeout.as_secs()
                        ),
                    },
                }
            }
            CheckSpec::Command { argv, .. } => {
                let ip = ip.map(|i| i.to_string()).unwrap_or_default();
                let args: Vec<String> = argv
                    .iter()
                    .map(|a| substitute(a, item, &vm.vm, &ip))
                    .collect();
                let Some((program, rest)) = args.split_first() else {
                    return CheckOutcome {
                        ok: false,
                        detail: format!("{item}: the check's command is empty"),
                    };
                };
                let mut cmd = tokio::process::Command::new(program);
                cmd.args(rest)
                    .env("FAILBACK_ITEM", item)
                    .env("FAILBACK_VM", &vm.vm)
                    .env("FAILBACK_IP", &ip)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .kill_on_drop(true);
                let shown = args.join(" ");
                match cmd.spawn() {
                    Err(e) => CheckOutcome {
                        ok: false,
                        detail: format!("{item}: `{shown}` could not start: {e}"),
                    },
                    Ok(mut child) => match tokio::time::timeout(timeout, child.wait()).await {
                        Ok(Ok(status)) if status.success() => CheckOutcome {
                            ok: true,
                            detail: format!("{item}: `{shown}` exited 0"),
                        },
                        Ok(Ok(status)) => CheckOutcome {
                            ok: false,
                            detail: format!("{item}: `{shown}` ended with {status}"),
                        },
                        Ok(Err(e)) => CheckOutcome {
                            ok: false,
                            detail: format!("{item}: `{shown}` could not be waited for: {e}"),
                        },
                        Err(_) => {
                            let _ = child.kill().await;
                            CheckOutcome {
                                ok: false,
                                detail: format!(
                                    "{item}: `{shown}` did not end within {} s (killed)",
                                    timeout.as_secs()
                                ),
                            }
                        }
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::GuestNic;

    fn vm(ip: Option<IpAddr>) -> VmRuntime {
        VmRuntime {
            vm: "vm-1".into(),
            powered_on: true,
            guest_running: Some(true),
            nics: vec![GuestNic {
                name: "eth0".into(),
                ip_address: ip,
                dhcp: false,
            }],
            packages: None,
        }
    }

    fn tcp(port: u16) -> CheckSpec {
        CheckSpec::Tcp {
            port,
            items: vec![],
            applications: vec![],
        }
    }

    fn command(argv: &[&str]) -> CheckSpec {
        CheckSpec::Command {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            items: vec![],
            applications: vec![],
        }
    }

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const T: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn a_listening_port_passes_and_a_closed_one_fails() {
        let listener = tokio::net::TcpListener::bind((LOOPBACK, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = NetVerifier
            .check("a", &vm(Some(LOOPBACK)), &tcp(port), T)
            .await;
        assert!(open.ok, "{open:?}");
        drop(listener);
        // A port bound but not listening refuses connections, and stays this test's: a
        // port merely closed may be taken by a test running beside it.
        let held = tokio::net::TcpSocket::new_v4().unwrap();
        held.bind((LOOPBACK, 0).into()).unwrap();
        let closed_port = held.local_addr().unwrap().port();
        let closed = NetVerifier
            .check("a", &vm(Some(LOOPBACK)), &tcp(closed_port), T)
            .await;
        assert!(!closed.ok, "{closed:?}");
        let none = NetVerifier.check("a", &vm(None), &tcp(port), T).await;
        assert!(!none.ok && none.detail.contains("no address"), "{none:?}");
    }

    #[tokio::test]
    async fn a_command_passes_on_exit_0_only_and_sees_the_item() {
        let ok = NetVerifier
            .check(
                "web-01",
                &vm(Some(LOOPBACK)),
                &command(&[
                    "sh",
                    "-c",
                    "test \"$FAILBACK_ITEM\" = web-01 && test {ip} = 127.0.0.1",
                ]),
                T,
            )
            .await;
        assert!(ok.ok, "{ok:?}");
        let bad = NetVerifier
            .check("web-01", &vm(None), &command(&["sh", "-c", "exit 3"]), T)
            .await;
        assert!(!bad.ok && bad.detail.contains("3"), "{bad:?}");
        let missing = NetVerifier
            .check("web-01", &vm(None), &command(&["/nonexistent/check"]), T)
            .await;
        assert!(
            !missing.ok && missing.detail.contains("could not start"),
            "{missing:?}"
        );
        let slow = NetVerifier
            .check(
                "web-01",
                &vm(None),
                &command(&["sleep", "30"]),
                Duration::from_millis(200),
            )
            .await;
        assert!(!slow.ok && slow.detail.contains("killed"), "{slow:?}");
    }
}

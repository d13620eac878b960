//! The vcsim harness against the real launcher: raw SOAP over reqwest (hand-written
//! envelopes, as the adapter will send them) to a vCenter and an ESXi model, logins, the
//! read-only account, licence editions, TLS, and the start-up time of a large model.
//!
//! These tests need Go and govmomi (`apt-get install -y golang-go
//! golang-github-vmware-govmomi-dev`); without them they fail with that command.

// Helpers outside #[test] functions unwrap too: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use failback_vsphere::vcsim::{Vcsim, VcsimError};

const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Starts a simulator or fails the test with the harness's error (never a skip).
fn start(builder: failback_vsphere::vcsim::VcsimBuilder) -> Vcsim {
    match builder.start() {
        Ok(sim) => sim,
        Err(e) => panic!("vcsim did not start: {e}"),
    }
}

/// A vim25 SOAP client of a few lines: envelope, SOAPAction, the session cookie.
struct Soap {
    http: reqwest::Client,
    url: String,
    version: String,
    cookie: Option<String>,
}

/// A SOAP answer: the HTTP status and the body.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    /// The text of the first `<name>` element.
    fn tag(&self, name: &str) -> Option<&str> {
        tag(&self.body, name)
    }

    /// The detail type of a SOAP fault (`InvalidLogin`, `NoPermission`, ...).
    fn fault(&self) -> Option<&str> {
        let at = self.body.find("<faultcode>")?;
        let rest = &self.body[at..];
        let detail = rest.find("<detail>")?;
        let rest = &rest[detail + "<detail>".len()..];
        let name = &rest[1..rest.find([' ', '>'])?];
        name.strip_suffix("Fault")
    }
}

fn tag<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(at) = body[from..].find(&open) {
        let start = from + at + open.len();
        let next = body[start..].chars().next()?;
        if next == '>' || next == ' ' {
            let gt = start + body[start..].find('>')?;
            let end = gt + body[gt..].find(&format!("</{name}>"))?;
            return Some(&body[gt + 1..end]);
        }
        from = start;
    }
    None
}

/// Every text of `<name>` elements, in order.
fn tags<'a>(body: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(v) = tag(rest, name) {
        out.push(v);
        let at = rest.find(&format!("</{name}>")).unwrap() + name.len() + 3;
        rest = &rest[at..];
    }
    out
}

/// The managed object id inside `<name type="...">id</name>`.
fn moid(body: &str, name: &str) -> String {
    tag(body, name)
        .unwrap_or_else(|| panic!("no <{name}> in {body}"))
        .to_owned()
}

impl Soap {
    fn new(url: &str, http: reqwest::Client) -> Self {
        Self {
            http,
            url: url.to_owned(),
            version: "6.5".to_owned(),
            cookie: None,
        }
    }

    async fn call(&mut self, method: &str, this: (&str, &str), args: &str) -> Answer {
        let body = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><{method} xmlns="urn:vim25"><_this type="{}">{}</_this>{args}</{method}></soapenv:Body></soapenv:Envelope>"#,
            this.0, this.1
        );
        let mut req = self
            .http
            .post(&self.url)
            .header("Content-Type", r#"text/xml; charset="utf-8""#)
            .header("SOAPAction", format!("urn:vim25/{}", self.version))
            .body(body);
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let res = req.send().await.expect("the SOAP request");
        if let Some(set) = res.headers().get("set-cookie") {
            let set = set.to_str().unwrap();
            if set.starts_with("vmware_soap_session=") {
                self.cookie = Some(set.split(';').next().unwrap().to_owned());
            }
        }
        Answer {
            status: res.status().as_u16(),
            body: res.text().await.unwrap(),
        }
    }

    async fn service_content(&mut self) -> Answer {
        let a = self
            .call(
                "RetrieveServiceContent",
                ("ServiceInstance", "ServiceInstance"),
                "",
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        if let Some(v) = a.tag("apiVersion") {
            self.version = v.to_owned();
        }
        a
    }

    async fn login(&mut self, sc: &Answer, user: &str, password: &str) -> Answer {
        let sm = moid(&sc.body, "sessionManager");
        self.call(
            "Login",
            ("SessionManager", &sm),
            &format!("<userName>{user}</userName><password>{password}</password>"),
        )
        .await
    }

    async fn properties(&mut self, sc: &Answer, obj: (&str, &str), path: &str) -> Answer {
        let pc = moid(&sc.body, "propertyCollector");
        let args = format!(
            r#"<specSet><propSet><type>{t}</type><pathSet>{path}</pathSet></propSet><objectSet><obj type="{t}">{id}</obj></objectSet></specSet><options></options>"#,
            t = obj.0,
            id = obj.1
        );
        let a = self
            .call("RetrievePropertiesEx", ("PropertyCollector", &pc), &args)
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a
    }

    async fn find_by_path(&mut self, sc: &Answer, path: &str) -> String {
        let si = moid(&sc.body, "searchIndex");
        let a = self
            .call(
                "FindByInventoryPath",
                ("SearchIndex", &si),
                &format!("<inventoryPath>{path}</inventoryPath>"),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.tag("returnval")
            .unwrap_or_else(|| panic!("{path} not found: {}", a.body))
            .to_owned()
    }

    async fn privileges(&mut self, sc: &Answer, entity: (&str, &str), privs: &[&str]) -> Answer {
        let am = moid(&sc.body, "authorizationManager");
        let session = "<sessionId>ignored</sessionId>";
        let ids: String = privs
            .iter()
            .map(|p| format!("<privId>{p}</privId>"))
            .collect();
        self.call(
            "HasPrivilegeOnEntities",
            ("AuthorizationManager", &am),
            &format!(
                r#"<entity type="{}">{}</entity>{session}{ids}"#,
                entity.0, entity.1
            ),
        )
        .await
    }
}

fn granted(a: &Answer) -> Vec<(String, bool)> {
    tags(&a.body, "privAvailability")
        .into_iter()
        .map(|p| {
            (
                tag(p, "privId").unwrap().to_owned(),
                tag(p, "isGranted").unwrap() == "true",
            )
        })
        .collect()
}

#[tokio::test]
async fn a_vcenter_model_answers_and_checks_the_login() {
    let vc = start(Vcsim::builder().user("administrator@vsphere.local", "S3cret!"));
    assert!(vc.url().starts_with("http://127.0.0.1:"), "{}", vc.url());
    assert!(!vc.esx());
    assert_eq!(vc.info().api_type, "VirtualCenter");
    assert_eq!(vc.password(), "S3cret!");
    let shown = format!("{vc:?}");
    assert!(!shown.contains("S3cret!"), "the password is in {shown}");

    let mut soap = Soap::new(vc.url(), reqwest::Client::new());
    let sc = soap.service_content().await;
    assert_eq!(sc.tag("apiType"), Some("VirtualCenter"));
    assert_eq!(sc.tag("apiVersion"), Some(vc.info().api_version.as_str()));

    // Before a login, calls are refused.
    let refused = soap
        .privileges(&sc, ("Folder", "group-d1"), &["System.Read"])
        .await;
    assert_eq!(
        refused.fault(),
        Some("NotAuthenticated"),
        "{}",
        refused.body
    );

    let wrong = soap
        .login(&sc, "administrator@vsphere.local", "wrong")
        .await;
    assert_eq!(wrong.status, 500, "{}", wrong.body);
    assert_eq!(wrong.fault(), Some("InvalidLogin"), "{}", wrong.body);
    let stranger = soap.login(&sc, "someone", "S3cret!").await;
    assert_eq!(stranger.fault(), Some("InvalidLogin"), "{}", stranger.body);

    let ok = soap
        .login(&sc, "administrator@vsphere.local", "S3cret!")
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.tag("userName"), Some("administrator@vsphere.local"));
    assert!(soap.cookie.is_some(), "Login set no session cookie");

    // The default model: one datacenter with a cluster of three hosts and a standalone host.
    assert_eq!(vc.info().hosts, 4);
    let ds = soap.find_by_path(&sc, "DC0/datastore/LocalDS_0").await;
    let p = soap
        .privileges(&sc, ("Datastore", &ds), &["Datastore.AllocateSpace"])
        .await;
    assert_eq!(granted(&p), [("Datastore.AllocateSpace".to_owned(), true)]);
}

#[tokio::test]
async fn an_esxi_model_is_a_host_agent() {
    let esx = start(Vcsim::builder().esx(true).user("root", "VMware1!"));
    assert!(esx.esx());
    let mut soap = Soap::new(esx.url(), reqwest::Client::new());
    let sc = soap.service_content().await;
    assert_eq!(sc.tag("apiType"), Some("HostAgent"));
    assert_eq!(moid(&sc.body, "sessionManager"), "ha-sessionmgr");
    assert_eq!(esx.info().hosts, 1);

    let wrong = soap.login(&sc, "root", "vmware").await;
    assert_eq!(wrong.fault(), Some("InvalidLogin"), "{}", wrong.body);
    let ok = soap.login(&sc, "root", "VMware1!").await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    // An evaluation licence unless asked otherwise.
    let lm = moid(&sc.body, "licenseManager");
    let lic = soap
        .properties(&sc, ("LicenseManager", &lm), "licenses")
        .await;
    assert_eq!(lic.tag("editionKey"), Some("eval"), "{}", lic.body);
}

#[tokio::test]
async fn a_free_esxi_licence_reads_esx_basic() {
    let esx = start(Vcsim::builder().esx(true).license("esxBasic"));
    let mut soap = Soap::new(esx.url(), reqwest::Client::new());
    let sc = soap.service_content().await;
    assert_eq!(soap.login(&sc, "user", "pass").await.status, 200);
    let lm = moid(&sc.body, "licenseManager");
    let lic = soap
        .properties(&sc, ("LicenseManager", &lm), "licenses")
        .await;
    assert_eq!(lic.tag("editionKey"), Some("esxBasic"), "{}", lic.body);
    assert!(lic.body.contains("vSphere 7 Hypervisor"), "{}", lic.body);
}

#[tokio::test]
async fn vcenter_assigns_the_hosts_their_licence_edition() {
    let vc = start(Vcsim::builder().license("esxEnterprisePlus").hosts(2));
    let mut soap = Soap::new(vc.url(), reqwest::Client::new());
    let sc = soap.service_content().await;
    assert_eq!(soap.login(&sc, "user", "pass").await.status, 200);
    let lm = moid(&sc.body, "licenseManager");
    let lam = soap
        .properties(&sc, ("LicenseManager", &lm), "licenseAssignmentManager")
        .await;
    let lam = tag(&lam.body, "val").unwrap().to_owned();
    let all = soap
        .call(
            "QueryAssignedLicenses",
            ("LicenseAssignmentManager", &lam),
            "",
        )
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    let assignments = tags(&all.body, "returnval");
    // vCenter's own licence and one per host (a cluster of two and a standalone host).
    assert_eq!(assignments.len(), 1 + 3, "{}", all.body);
    let editions: Vec<_> = assignments
        .iter()
        .map(|a| tag(a, "editionKey").unwrap())
        .collect();
    assert_eq!(
        editions
            .iter()
            .filter(|e| **e == "esxEnterprisePlus")
            .count(),
        3
    );

    let host = soap.find_by_path(&sc, "DC0/host/DC0_H0/DC0_H0").await;
    let one = soap
        .call(
            "QueryAssignedLicenses",
            ("LicenseAssignmentManager", &lam),
            &format!("<entityId>{host}</entityId>"),
        )
        .await;
    assert_eq!(tags(&one.body, "returnval").len(), 1, "{}", one.body);
    assert_eq!(one.tag("entityId"), Some(host.as_str()));
    assert_eq!(one.tag("editionKey"), Some("esxEnterprisePlus"));
}

#[tokio::test]
async fn a_read_only_account_on_vcenter_reads_but_holds_no_write_privilege() {
    read_only_account(false).await;
}

#[tokio::test]
async fn a_read_only_account_on_esxi_reads_but_holds_no_write_privilege() {
    read_only_account(true).await;
}

async fn read_only_account(esx: bool) {
    let dc = if esx { "ha-datacenter" } else { "DC0" };
    let vc = start(
        Vcsim::builder()
            .esx(esx)
            .user("admin", "admin-pw")
            .readonly_user("auditor", "auditor-pw"),
    );
    assert_eq!(vc.readonly_user(), Some(("auditor", "auditor-pw")));
    let wanted = [
        "Datastore.Browse",
        "Datastore.AllocateSpace",
        "VirtualMachine.Config.AddExistingDisk",
        "System.Read",
    ];

    let mut admin = Soap::new(vc.url(), reqwest::Client::new());
    let sc = admin.service_content().await;
    assert_eq!(admin.login(&sc, "admin", "admin-pw").await.status, 200);
    let ds = admin
        .find_by_path(&sc, &format!("{dc}/datastore/LocalDS_0"))
        .await;
    let p = admin.privileges(&sc, ("Datastore", &ds), &wanted).await;
    assert!(granted(&p).iter().all(|(_, g)| *g), "{}", p.body);

    let mut ro = Soap::new(vc.url(), reqwest::Client::new());
    let sc = ro.service_content().await;
    assert_eq!(
        ro.login(&sc, "auditor", "wrong").await.fault(),
        Some("InvalidLogin")
    );
    let login = ro.login(&sc, "auditor", "auditor-pw").await;
    assert_eq!(login.status, 200, "{}", login.body);
    let p = ro.privileges(&sc, ("Datastore", &ds), &wanted).await;
    assert_eq!(
        granted(&p),
        [
            ("Datastore.Browse".to_owned(), false),
            ("Datastore.AllocateSpace".to_owned(), false),
            ("VirtualMachine.Config.AddExistingDisk".to_owned(), false),
            ("System.Read".to_owned(), true),
        ]
    );

    // It reads the inventory...
    let root = moid(&sc.body, "rootFolder");
    let names = ro.properties(&sc, ("Folder", &root), "name").await;
    let root_name = if esx { "ha-folder-root" } else { "Datacenters" };
    assert_eq!(tag(&names.body, "val"), Some(root_name), "{}", names.body);
    // ...and the permission it holds is the ReadOnly role (-2).
    let am = moid(&sc.body, "authorizationManager");
    let perms = ro
        .call(
            "RetrieveEntityPermissions",
            ("AuthorizationManager", &am),
            &format!(r#"<entity type="Folder">{root}</entity><inherited>true</inherited>"#),
        )
        .await;
    let mine: Vec<_> = tags(&perms.body, "returnval")
        .into_iter()
        .filter(|p| tag(p, "principal") == Some("auditor"))
        .collect();
    assert_eq!(mine.len(), 1, "{}", perms.body);
    assert_eq!(tag(mine[0], "roleId"), Some("-2"));

    // A write is refused with the privilege it needs.
    let folder = ro
        .call(
            "CreateFolder",
            ("Folder", &root),
            "<name>not-allowed</name>",
        )
        .await;
    assert_eq!(folder.status, 500, "{}", folder.body);
    assert_eq!(folder.fault(), Some("NoPermission"), "{}", folder.body);
    assert_eq!(folder.tag("privilegeId"), Some("Folder.Create"));
    // Hot-adding an existing disk names the privilege vCenter names.
    let vm = admin
        .find_by_path(&sc, &format!("{dc}/vm/{}", first_vm(esx)))
        .await;
    let add_disk = ro
        .call(
            "ReconfigVM_Task",
            ("VirtualMachine", &vm),
            r#"<spec><deviceChange><operation>add</operation><device xsi:type="VirtualDisk"><key>-1</key><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[LocalDS_0] other/disk1.vmdk</fileName><diskMode>persistent</diskMode></backing><controllerKey>1000</controllerKey><unitNumber>1</unitNumber><capacityInKB>1024</capacityInKB></device></deviceChange></spec>"#,
        )
        .await;
    assert_eq!(add_disk.fault(), Some("NoPermission"), "{}", add_disk.body);
    assert_eq!(
        add_disk.tag("privilegeId"),
        Some("VirtualMachine.Config.AddExistingDisk")
    );
    // The admin is not refused.
    let made = admin
        .call("CreateFolder", ("Folder", &root), "<name>allowed</name>")
        .await;
    if esx {
        // ESXi's root folder holds only its datacenter; the guard let the call through.
        assert_eq!(made.fault(), Some("NotSupported"), "{}", made.body);
    } else {
        assert_eq!(made.status, 200, "{}", made.body);
    }
}

/// The name of the model's first VM, as the launcher names it.
fn first_vm(esx: bool) -> &'static str {
    if esx {
        "ha-host_VM0"
    } else {
        "DC0_C0_RP0_VM0"
    }
}

#[tokio::test]
async fn tls_with_the_generated_certificate_trusted() {
    let dir = std::env::temp_dir().join(format!("failback-vcsim-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_file = dir.join("vcsim.pem");
    let vc = start(Vcsim::builder().tls(true).cert_out(&cert_file));
    assert!(vc.url().starts_with("https://127.0.0.1:"), "{}", vc.url());
    let pem = vc
        .cert_pem()
        .expect("a TLS simulator reports its certificate");
    assert_eq!(std::fs::read_to_string(&cert_file).unwrap(), pem);
    let thumb = vc.info().thumbprint.clone().unwrap();
    assert_eq!(thumb.split(':').count(), 20, "a SHA-1 thumbprint: {thumb}");

    // Not trusted: the handshake fails.
    let mut untrusted = Soap::new(vc.url(), reqwest::Client::new());
    let err = untrusted
        .http
        .post(&untrusted.url)
        .body("")
        .send()
        .await
        .expect_err("a self-signed certificate is not trusted by default");
    assert!(
        err.is_connect() || err.to_string().contains("certificate"),
        "{err:?}"
    );
    untrusted.cookie = None;

    // Trusted: SOAP works.
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(cert)
        .build()
        .unwrap();
    let mut soap = Soap::new(vc.url(), http);
    let sc = soap.service_content().await;
    assert_eq!(sc.tag("apiType"), Some("VirtualCenter"));
    assert_eq!(soap.login(&sc, "user", "pass").await.status, 200);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_launcher_that_refuses_its_flags_is_an_error_with_its_reason() {
    let err = Vcsim::builder().esx(true).clusters(2).start().unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, VcsimError::Exited { .. }), "{text}");
    assert!(
        text.contains("-clusters describes a vCenter inventory"),
        "{text}"
    );
}

#[test]
fn a_missing_launcher_is_an_error_not_a_skip() {
    let err = Vcsim::builder()
        .launcher("/nonexistent/failback-vcsim")
        .start()
        .unwrap_err();
    assert!(matches!(err, VcsimError::Spawn { .. }), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/failback-vcsim"),
        "{err}"
    );
}

#[test]
fn the_simulator_stops_and_removes_its_folders() {
    let vc = start(Vcsim::builder().datastores(2));
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", vc.info().pid));
    assert!(proc_dir.exists());
    let tmp = vc.temp_dir().to_owned();
    let datastores: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(datastores.len(), 2, "{datastores:?}");
    assert!(
        datastores
            .iter()
            .all(|d| d.starts_with("govcsim-DC0-LocalDS_")),
        "{datastores:?}"
    );
    // Stopped through its stdin, it removed them itself (stop says so) and exited.
    vc.stop().unwrap();
    assert!(!proc_dir.exists(), "the launcher still runs");
    assert!(!tmp.exists());
}

/// Not a timed assertion: prints how long a 2,000-VM vCenter takes to start.
#[test]
fn a_two_thousand_vm_model_starts() {
    let began = Instant::now();
    let vc = start(Vcsim::builder().vms(2000).hosts(8).datastores(4));
    let total = began.elapsed();
    assert_eq!(vc.info().vms, 2000);
    eprintln!(
        "vcsim with 2,000 VMs: ready after {:?} (launcher's own count {} ms; with the build, if any, {:?})",
        vc.startup(),
        vc.info().startup_ms,
        total
    );
}

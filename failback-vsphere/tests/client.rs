//! The SOAP client against vcsim (a vCenter and an ESXi model, logins, an expired
//! session, container views, a failed task, TLS trust) and against a small fake server
//! for what vcsim 0.24.2 cannot show (paging tokens: it ignores `maxObjects`; a session
//! that stays refused after the re-login; a response over the size limit).
//!
//! The vcsim tests need Go and govmomi (`apt-get install -y golang-go
//! golang-github-vmware-govmomi-dev`); without them they fail with that command.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fake;

use std::time::Duration;

use failback_core::ErrorKind;
use failback_vsphere::soap::{
    Limits, ManagedObjectReference, ObjectSpec, PropertyFilterSpec, PropertySpec, Value,
};
use failback_vsphere::vcsim::{Vcsim, VcsimBuilder};
use failback_vsphere::{Client, Connection, ConnectionBuilder, Thumbprint, ThumbprintAlgorithm};

/// Starts a simulator or fails the test with the harness's error (never a skip).
fn start(builder: VcsimBuilder) -> Vcsim {
    match builder.start() {
        Ok(sim) => sim,
        Err(e) => panic!("vcsim did not start: {e}"),
    }
}

/// The connection settings of a simulator, its own user and password.
fn settings(vc: &Vcsim) -> ConnectionBuilder {
    Connection::builder()
        .url(vc.url())
        .username(vc.user())
        .password(vc.password())
}

async fn connect(vc: &Vcsim) -> Client {
    Client::connect(settings(vc).build().unwrap())
        .await
        .unwrap_or_else(|e| panic!("connect to {}: {e}", vc.url()))
}

#[tokio::test]
async fn connects_and_logs_in_to_a_vcenter_and_an_esxi_host() {
    for esx in [false, true] {
        let vc = start(Vcsim::builder().esx(esx));
        let client = connect(&vc).await;
        let about = client.about();
        let expected = if esx { "HostAgent" } else { "VirtualCenter" };
        assert_eq!(about.api_type, expected);
        assert_eq!(about.is_vcenter(), !esx);
        assert_eq!(about.api_version, vc.info().api_version);
        let sc = client.service_content();
        assert!(sc.session_manager.is_some() && sc.view_manager.is_some());
        assert!(sc.license_manager.is_some() && sc.authorization_manager.is_some());
        assert!(sc.event_manager.is_some(), "{sc:?}");
        assert_eq!(client.logins(), 1);
        // RetrieveServiceContent and Login.
        assert_eq!(client.round_trips(), 2);
        client.logout().await.unwrap();
        let e = client
            .container_view("VirtualMachine", true)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated), "{e}");
        assert!(e.to_string().contains("logged out"), "{e}");
        assert_eq!(client.logins(), 1, "no login after an explicit logout");
    }
}

#[tokio::test]
async fn a_wrong_password_is_unauthenticated_and_never_shown() {
    let vc = start(Vcsim::builder().user("administrator@vsphere.local", "Right!Pass1"));
    let wrong = "Wr0ng!Hunter2";
    let conn = settings(&vc).password(wrong).build().unwrap();
    assert!(!format!("{conn:?}").contains(wrong), "{conn:?}");
    let e = Client::connect(conn).await.unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated), "{e}");
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("InvalidLogin"), "{shown}");
    assert!(shown.contains("administrator@vsphere.local"), "{shown}");
    assert!(!shown.contains(wrong), "the password leaked: {shown}");
    assert!(!shown.contains("Right!Pass1"), "{shown}");
}

/// The key of the client's own session (`SessionManager.currentSession.key`).
async fn session_key(client: &Client) -> String {
    let sm = client.service_content().session_manager.clone().unwrap();
    let objects = client
        .retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new("SessionManager", ["currentSession"])],
            vec![ObjectSpec::object(sm)],
        ))
        .await
        .unwrap();
    match objects[0].get("currentSession") {
        Some(Value::Object(o)) => o.node().string("key").unwrap().to_string(),
        other => panic!("no currentSession: {other:?}"),
    }
}

#[tokio::test]
async fn an_expired_session_logs_in_again_once() {
    let vc = start(Vcsim::builder());
    let client = connect(&vc).await;
    let sm = client.service_content().session_manager.clone().unwrap();

    // Logged out behind the client's back: the next call meets NotAuthenticated, logs
    // in again and is sent again.
    client.call("Logout", &sm, |_| {}).await.unwrap();
    let view = client.container_view("VirtualMachine", true).await.unwrap();
    assert_eq!(client.logins(), 2);
    client.destroy_view(&view).await.unwrap();

    // Terminated by another session: a property collection (vcsim answers it with
    // NotAuthenticated missing properties, vCenter with a fault) recovers too.
    let key = session_key(&client).await;
    let admin = connect(&vc).await;
    admin
        .call("TerminateSession", &sm, |w| {
            w.text("sessionId", &key);
        })
        .await
        .unwrap();
    let root = client.service_content().root_folder.clone();
    let objects = client
        .retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new("Folder", ["name"])],
            vec![ObjectSpec::object(root)],
        ))
        .await
        .unwrap();
    assert!(objects[0].missing.is_empty(), "{:?}", objects[0].missing);
    assert!(objects[0].get("name").is_some());
    assert_eq!(client.logins(), 3);
    assert_ne!(session_key(&client).await, key);
    assert_eq!(client.logins(), 3, "a live session does not log in");
}

#[tokio::test]
async fn a_container_view_does_not_outlive_its_session() {
    let vc = start(Vcsim::builder());
    let client = connect(&vc).await;
    let view = client.container_view("VirtualMachine", true).await.unwrap();
    let sm = client.service_content().session_manager.clone().unwrap();
    client.call("Logout", &sm, |_| {}).await.unwrap();
    let e = client
        .retrieve_view(&view, "VirtualMachine", &["name"])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "{e}");
    assert!(e.to_string().contains("ManagedObjectNotFound"), "{e}");
    // A new view in the new session works.
    let view = client.container_view("VirtualMachine", true).await.unwrap();
    let vms = client
        .retrieve_view(&view, "VirtualMachine", &["name"])
        .await
        .unwrap();
    assert_eq!(vms.len(), vc.info().vms);
    assert_eq!(client.logins(), 2);
}

#[tokio::test]
async fn concurrent_calls_on_an_expired_session_log_in_once_between_them() {
    let vc = start(Vcsim::builder());
    let client = connect(&vc).await;
    let sm = client.service_content().session_manager.clone().unwrap();
    client.call("Logout", &sm, |_| {}).await.unwrap();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.container_view("VirtualMachine", true).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(client.logins(), 2);
}

#[tokio::test]
async fn a_session_refused_after_the_relogin_is_an_error_not_a_loop() {
    let server = fake::Server::start(fake::always_not_authenticated).await;
    let client = Client::connect(server.connection().build().unwrap())
        .await
        .unwrap();
    let folder = ManagedObjectReference::new("Folder", "group-d1");
    let e = client
        .call("Destroy_Task", &folder, |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated), "{e}");
    assert!(e.to_string().contains("NotAuthenticated"), "{e}");
    assert_eq!(client.logins(), 2, "one re-login, no more");
    assert_eq!(
        server.methods(),
        [
            "RetrieveServiceContent",
            "Login",
            "Destroy_Task",
            "Login",
            "Destroy_Task"
        ]
    );
    // A property collection stops after one re-login too.
    let e = client
        .retrieve(PropertyFilterSpec::new(
            vec![PropertySpec::new("Folder", ["name"])],
            vec![ObjectSpec::object(folder)],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated), "{e}");
    assert_eq!(client.logins(), 3);
}

#[tokio::test]
async fn requests_carry_the_soap_headers_and_the_server_version() {
    let server = fake::Server::start(fake::paging).await;
    let client = Client::connect(server.connection().build().unwrap())
        .await
        .unwrap();
    let headers = server.headers();
    assert_eq!(headers[0].0, r#"text/xml; charset="utf-8""#);
    assert_eq!(headers[0].1, "urn:vim25/6.5", "before the version is known");
    assert_eq!(headers[1].1, "urn:vim25/8.0.1.0", "Login: {headers:?}");
    assert_eq!(client.about().api_version, "8.0.1.0");
}

#[tokio::test]
async fn a_collection_follows_its_tokens_to_the_last_page() {
    let server = fake::Server::start(fake::paging).await;
    let client = Client::connect(server.connection().build().unwrap())
        .await
        .unwrap();
    let view = ManagedObjectReference::new("ContainerView", "session[1]view-1");
    let objects = client
        .retrieve_paged(
            vec![PropertyFilterSpec::new(
                vec![PropertySpec::new("VirtualMachine", ["name"])],
                vec![ObjectSpec::container_view(view)],
            )],
            Some(2),
        )
        .await
        .unwrap();
    let names: Vec<_> = objects
        .iter()
        .map(|o| o.get("name").and_then(|v| v.as_str()).unwrap().to_string())
        .collect();
    assert_eq!(names, ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5"]);
    assert_eq!(
        &server.methods()[2..],
        [
            "RetrievePropertiesEx",
            "ContinueRetrievePropertiesEx",
            "ContinueRetrievePropertiesEx"
        ]
    );
    let bodies = server.bodies();
    assert!(
        bodies[2].contains("<maxObjects>2</maxObjects>"),
        "{}",
        bodies[2]
    );
    assert!(bodies[3].contains("<token>t1</token>"), "{}", bodies[3]);
    assert!(bodies[4].contains("<token>t2</token>"), "{}", bodies[4]);
    assert_eq!(client.round_trips(), 5);
}

#[tokio::test]
async fn a_response_over_the_size_limit_is_refused_while_it_streams() {
    for chunked in [false, true] {
        let server = fake::Server::start(fake::paging).await;
        server.set_huge_answers(chunked);
        let client = Client::connect(
            server
                .connection()
                .limits(Limits::new().with_max_bytes(64 * 1024))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
        let folder = ManagedObjectReference::new("Folder", "group-d1");
        let e = client.call("Huge", &folder, |_| {}).await.unwrap_err();
        assert!(
            e.to_string().contains("more than the 65536 allowed"),
            "chunked {chunked}: {e}"
        );
    }
}

#[tokio::test]
async fn a_container_view_lists_every_vm_with_small_pages() {
    let vc = start(Vcsim::builder().vms(7));
    let client = connect(&vc).await;
    let view = client.container_view("VirtualMachine", true).await.unwrap();
    assert_eq!(view.mo_type, "ContainerView");
    let objects = client
        .retrieve_paged(
            vec![PropertyFilterSpec::new(
                vec![PropertySpec::new(
                    "VirtualMachine",
                    ["name", "runtime.powerState"],
                )],
                vec![ObjectSpec::container_view(view.clone())],
            )],
            Some(2),
        )
        .await
        .unwrap();
    // vcsim 0.24.2 ignores maxObjects and answers one page: the token walk is shown
    // by the fake server's test above.
    assert_eq!(objects.len(), vc.info().vms);
    let mut names: Vec<_> = objects
        .iter()
        .map(|o| o.get("name").and_then(|v| v.as_str()).unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 7);
    for o in &objects {
        assert_eq!(o.obj.mo_type, "VirtualMachine");
        match o.get("runtime.powerState") {
            Some(Value::Enum { value, .. }) => assert_eq!(value, "poweredOn"),
            Some(Value::String(value)) => assert_eq!(value, "poweredOn"),
            other => panic!("runtime.powerState: {other:?}"),
        }
    }
    client.destroy_view(&view).await.unwrap();
    let e = client
        .retrieve_view(&view, "VirtualMachine", &["name"])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::NotFound), "a destroyed view: {e}");
}

#[tokio::test]
async fn a_failed_task_surfaces_its_fault_as_a_job_error() {
    let vc = start(Vcsim::builder().vms(1));
    let client = connect(&vc).await;
    let view = client.container_view("VirtualMachine", true).await.unwrap();
    let vms = client
        .retrieve_view(&view, "VirtualMachine", &["name"])
        .await
        .unwrap();
    let vm = vms[0].obj.clone();
    // Powered on already: the task fails with InvalidPowerState.
    let task = client
        .call("PowerOnVM_Task", &vm, |_| {})
        .await
        .unwrap()
        .returnval()
        .unwrap()
        .as_moref()
        .unwrap();
    let e = client
        .wait_task(&task, Duration::from_secs(30))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Conflict), "{e}");
    assert!(e.to_string().contains("InvalidPowerState"), "{e}");
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(job.code.as_deref(), Some("InvalidPowerState"));

    // A task that works returns its info.
    let task = client
        .call("PowerOffVM_Task", &vm, |_| {})
        .await
        .unwrap()
        .returnval()
        .unwrap()
        .as_moref()
        .unwrap();
    let info = client
        .wait_task(&task, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(info.error.is_none());
    assert_eq!(info.entity.as_ref(), Some(&vm));
}

#[tokio::test]
async fn a_task_still_running_at_its_deadline_is_a_deadline_error() {
    let server = fake::Server::start(fake::running_task).await;
    let client = Client::connect(server.connection().build().unwrap())
        .await
        .unwrap();
    let task = ManagedObjectReference::new("Task", "task-7");
    let e = client
        .wait_task(&task, Duration::from_millis(400))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ErrorKind::Deadline), "{e}");
    assert!(e.to_string().contains("PowerOnVM_Task"), "{e}");
    let polls = server
        .methods()
        .iter()
        .filter(|m| *m == "RetrievePropertiesEx")
        .count();
    // 0, 0.1, 0.25 s: polled with backoff, not in a busy loop.
    assert!((2..=5).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn tls_trust_by_ca_by_thumbprint_or_explicitly_off() {
    let dir = std::env::temp_dir().join(format!("failback-client-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_file = dir.join("vcsim.pem");
    let vc = start(Vcsim::builder().tls(true).cert_out(&cert_file));
    let pem = vc.cert_pem().unwrap().to_string();

    // Not trusted by default: refused, saying how to trust it.
    let e = Client::connect(settings(&vc).build().unwrap())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("not trusted"), "{text}");
    assert!(text.contains("GOVC_TLS_CA_CERTS"), "{text}");
    assert!(text.contains("thumbprint"), "{text}");
    assert_eq!(e.status(), failback_core::ErrorStatus::Permanent, "{text}");

    // Its certificate as the CA.
    let client = Client::connect(settings(&vc).ca_file(&cert_file).build().unwrap())
        .await
        .unwrap();
    assert_eq!(client.logins(), 1);

    // Its SHA-1 thumbprint as vSphere prints it, and its SHA-256 without colons.
    let sha1 = vc.info().thumbprint.clone().unwrap();
    Client::connect(settings(&vc).thumbprint(&sha1).build().unwrap())
        .await
        .unwrap();
    let sha256 = Thumbprint::of_pem(pem.as_bytes(), ThumbprintAlgorithm::Sha256)
        .unwrap()
        .to_string()
        .replace(':', "")
        .to_lowercase();
    Client::connect(settings(&vc).thumbprint(&sha256).build().unwrap())
        .await
        .unwrap();

    // Another thumbprint: refused in the handshake, before the password is sent.
    let other = "00".repeat(20);
    let e = Client::connect(settings(&vc).thumbprint(&other).build().unwrap())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("is not the pinned"), "{text}");
    assert!(text.contains(&sha1), "names the server's: {text}");

    // govc's known-hosts file, by host and port.
    let hosts = dir.join("known_hosts");
    let host = vc
        .url()
        .trim_start_matches("https://")
        .trim_end_matches("/sdk");
    std::fs::write(&hosts, format!("other.example {other}\n{host} {sha1}\n")).unwrap();
    Client::connect(settings(&vc).known_hosts(&hosts).build().unwrap())
        .await
        .unwrap();

    // Verification off, when asked.
    let client = Client::connect(settings(&vc).insecure(true).build().unwrap())
        .await
        .unwrap();
    assert_eq!(client.about().api_type, "VirtualCenter");
    std::fs::remove_dir_all(&dir).unwrap();
}

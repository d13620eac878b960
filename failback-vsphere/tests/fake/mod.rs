//! A small fake vSphere SOAP server on 127.0.0.1 (plain HTTP/1.1 over tokio), for what
//! vcsim cannot play: paging tokens, a session refused after every login, a response
//! over the size limit. It records each request's method, headers and body.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use failback_vsphere::{Connection, ConnectionBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// An answer: the HTTP status and the SOAP body.
pub type Answer = (u16, String);

/// What a request was: its method, `Content-Type`, `SOAPAction` and body.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    content_type: String,
    soap_action: String,
    body: String,
}

#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
    huge: AtomicBool,
    chunked: AtomicBool,
}

/// The fake server; it stops with the test's runtime.
pub struct Server {
    url: String,
    state: Arc<State>,
}

impl Server {
    /// Listens on 127.0.0.1:0, answering with `handler(method, body)`.
    pub async fn start(handler: fn(&str, &str) -> Answer) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sdk", listener.local_addr().unwrap());
        let state = Arc::new(State::default());
        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, handler, s.clone()));
            }
        });
        Server { url, state }
    }

    /// Settings reaching it (any user and password).
    pub fn connection(&self) -> ConnectionBuilder {
        Connection::builder()
            .url(&self.url)
            .username("user")
            .password("Fake!Secret")
    }

    /// The methods called, in order.
    pub fn methods(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.method).collect()
    }

    /// The request bodies, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.body).collect()
    }

    /// The (`Content-Type`, `SOAPAction`) headers, in order.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.seen()
            .into_iter()
            .map(|s| (s.content_type, s.soap_action))
            .collect()
    }

    /// The method `Huge` answers 1 MB (chunked, without a length, when `chunked`).
    pub fn set_huge_answers(&self, chunked: bool) {
        self.state.huge.store(true, Ordering::Relaxed);
        self.state.chunked.store(chunked, Ordering::Relaxed);
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, handler: fn(&str, &str) -> Answer, state: Arc<State>) {
    let mut buf = Vec::new();
    loop {
        // The head.
        let head_end = loop {
            if let Some(at) = find(&buf, b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.trim().to_string())
                })
                .unwrap_or_default()
        };
        let length: usize = header("content-length").parse().unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).to_string();
        buf.drain(..head_end + length);
        let method = method_of(&body);
        state.seen.lock().unwrap().push(Seen {
            method: method.clone(),
            content_type: header("content-type"),
            soap_action: header("soapaction"),
            body: body.clone(),
        });
        let out = if method == "Huge" && state.huge.load(Ordering::Relaxed) {
            let filler = "x".repeat(1 << 20);
            if state.chunked.load(Ordering::Relaxed) {
                let mut out = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n".to_string().into_bytes();
                for piece in filler.as_bytes().chunks(16 * 1024) {
                    out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
                out
            } else {
                response(200, &filler)
            }
        } else {
            let (status, answer) = handler(&method, &body);
            response(status, &answer)
        };
        if stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

fn response(status: u16, body: &str) -> Vec<u8> {
    let reason = if status == 200 {
        "OK"
    } else {
        "Internal Server Error"
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nSet-Cookie: vmware_soap_session=\"fake\"; Path=/; HttpOnly\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The element name after `<soapenv:Body>`.
fn method_of(body: &str) -> String {
    let Some(at) = body.find("<soapenv:Body><") else {
        return String::new();
    };
    let rest = &body[at + "<soapenv:Body><".len()..];
    rest[..rest.find([' ', '>', '/']).unwrap_or(rest.len())].to_string()
}

/// A SOAP envelope around `inner`.
pub fn envelope(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn ok(method: &str, returnval: &str) -> Answer {
    (
        200,
        envelope(&format!(
            r#"<{method}Response xmlns="urn:vim25">{returnval}</{method}Response>"#
        )),
    )
}

fn service_content() -> Answer {
    ok(
        "RetrieveServiceContent",
        r#"<returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><viewManager type="ViewManager">ViewManager</viewManager><about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 8.0.1 build-1</fullName><version>8.0.1</version><build>1</build><apiType>VirtualCenter</apiType><apiVersion>8.0.1.0</apiVersion></about><sessionManager type="SessionManager">SessionManager</sessionManager></returnval>"#,
    )
}

fn login() -> Answer {
    ok(
        "Login",
        "<returnval><key>52b</key><userName>user</userName></returnval>",
    )
}

fn not_authenticated() -> Answer {
    (
        500,
        envelope(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="Folder">group-d1</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault>"#,
        ),
    )
}

/// Logs in, then refuses every call with `NotAuthenticated` (a session that never
/// holds).
pub fn always_not_authenticated(method: &str, _body: &str) -> Answer {
    match method {
        "RetrieveServiceContent" => service_content(),
        "Login" => login(),
        _ => not_authenticated(),
    }
}

fn vms(ids: &[u32]) -> String {
    ids.iter()
        .map(|i| {
            format!(
                r#"<objects><obj type="VirtualMachine">vm-{i}</obj><propSet><name>name</name><val xsi:type="xsd:string">vm-{i}</val></propSet></objects>"#
            )
        })
        .collect()
}

/// Three pages of VMs: 1-2 and token `t1`, 3-4 and token `t2`, then 5.
pub fn paging(method: &str, body: &str) -> Answer {
    match method {
        "RetrieveServiceContent" => service_content(),
        "Login" => login(),
        "RetrievePropertiesEx" => ok(
            method,
            &format!("<returnval><token>t1</token>{}</returnval>", vms(&[1, 2])),
        ),
        "ContinueRetrievePropertiesEx" if body.contains("<token>t1</token>") => ok(
            method,
            &format!("<returnval><token>t2</token>{}</returnval>", vms(&[3, 4])),
        ),
        "ContinueRetrievePropertiesEx" if body.contains("<token>t2</token>") => {
            ok(method, &format!("<returnval>{}</returnval>", vms(&[5])))
        }
        _ => not_authenticated(),
    }
}

/// A task that runs forever: its `info` always says `running`.
pub fn running_task(method: &str, _body: &str) -> Answer {
    match method {
        "RetrieveServiceContent" => service_content(),
        "Login" => login(),
        "RetrievePropertiesEx" => ok(
            method,
            r#"<returnval><objects><obj type="Task">task-7</obj><propSet><name>info</name><val xsi:type="TaskInfo"><key>task-7</key><task type="Task">task-7</task><name>PowerOnVM_Task</name><state>running</state><progress>10</progress></val></propSet></objects></returnval>"#,
        ),
        _ => not_authenticated(),
    }
}

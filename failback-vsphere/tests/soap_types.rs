//! `xsi:type` is resolved by namespace URI whatever the prefix (`xsi:`, vcsim's
//! `XMLSchema-instance:`, any other), unknown types are kept, and the typed reads
//! say where a value is wrong. Also the request envelope's shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use failback_vsphere::soap::{
    parse_document, parse_response, soap_action, Limits, ManagedObjectReference, Node, Request,
    RetrieveResult, SoapError, Value, CONTENT_TYPE,
};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A one-object `RetrievePropertiesEx` answer whose XSI prefix is `prefix`, declared on
/// the envelope (`on_envelope`) or on each `val`.
fn answer(prefix: &str, on_envelope: bool) -> String {
    let (env_decl, val_decl) = if on_envelope {
        (format!(r#" xmlns:{prefix}="{XSI}""#), String::new())
    } else {
        (String::new(), format!(r#" xmlns:{prefix}="{XSI}""#))
    };
    let p = prefix;
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"{env_decl}><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="HostSystem">host-21</obj>
<propSet><name>name</name><val{val_decl} {p}:type="xsd:string">esx-01.lab.local</val></propSet>
<propSet><name>summary.hardware.memorySize</name><val{val_decl} {p}:type="xsd:long">274877906944</val></propSet>
<propSet><name>runtime.inMaintenanceMode</name><val{val_decl} {p}:type="xsd:boolean">false</val></propSet>
<propSet><name>runtime.bootTime</name><val{val_decl} {p}:type="xsd:dateTime">2026-04-30T22:15:03.481Z</val></propSet>
<propSet><name>parent</name><val{val_decl} {p}:type="ManagedObjectReference" type="ClusterComputeResource">domain-c8</val></propSet>
<propSet><name>datastore</name><val{val_decl} {p}:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">datastore-11</ManagedObjectReference><ManagedObjectReference type="Datastore">datastore-12</ManagedObjectReference></val></propSet>
<propSet><name>config.option</name><val{val_decl} {p}:type="ArrayOfOptionValue"><OptionValue {p}:type="OptionValue"><key>Config.HostAgent.log.level</key><value {p}:type="xsd:string">info</value></OptionValue><OptionValue {p}:type="OptionValue"><key>Mem.ShareScanGHz</key><value {p}:type="xsd:long">4</value></OptionValue></val></propSet>
<propSet><name>summary.runtime.powerState</name><val{val_decl} {p}:type="HostSystemPowerState">poweredOn</val></propSet>
<propSet><name>config.product</name><val{val_decl} {p}:type="AboutInfo"><name>VMware ESXi</name><version>8.0.2</version><apiVersion>8.0.2.0</apiVersion></val></propSet>
<propSet><name>capability.futureThing</name><val{val_decl} {p}:type="HostFutureCapability2031"><flag>true</flag><inner {p}:type="SomethingElse"><x>1</x></inner></val></propSet>
<propSet><name>config.network.dnsConfig.searchDomain</name><val{val_decl} {p}:type="ArrayOfString"><string>lab.local</string><string>corp.local</string></val></propSet>
</objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#
    )
}

fn read(body: &str) -> failback_vsphere::soap::ObjectContent {
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    RetrieveResult::from_response(r)
        .unwrap()
        .objects
        .into_iter()
        .next()
        .unwrap()
}

#[test]
fn type_resolution_does_not_depend_on_the_prefix() {
    let reference = read(&answer("xsi", true));
    for (prefix, on_envelope) in [
        ("xsi", false),
        ("XMLSchema-instance", false),
        ("XMLSchema-instance", true),
        ("i", true),
        ("ns0", false),
    ] {
        let obj = read(&answer(prefix, on_envelope));
        assert_eq!(
            obj, reference,
            "prefix {prefix}, on the envelope: {on_envelope}"
        );
    }
    let o = reference;
    assert_eq!(
        o.get("name").unwrap(),
        &Value::String("esx-01.lab.local".into())
    );
    assert_eq!(
        o.get("summary.hardware.memorySize").unwrap().as_i64(),
        Some(274_877_906_944)
    );
    assert_eq!(
        o.get("runtime.inMaintenanceMode").unwrap().as_bool(),
        Some(false)
    );
    assert_eq!(
        o.get("runtime.bootTime")
            .unwrap()
            .as_datetime()
            .unwrap()
            .to_rfc3339(),
        "2026-04-30T22:15:03.481+00:00"
    );
    assert_eq!(
        o.get("parent").unwrap().as_moref(),
        Some(&ManagedObjectReference::new(
            "ClusterComputeResource",
            "domain-c8"
        ))
    );
    assert_eq!(o.get("datastore").unwrap().morefs().len(), 2);
    let options = o.get("config.option").unwrap().as_array().unwrap();
    let second = options[1].as_object().unwrap().node();
    assert_eq!(
        second.require("value").unwrap().value().unwrap(),
        Value::Int(4)
    );
    assert_eq!(
        o.get("summary.runtime.powerState").unwrap().as_str(),
        Some("poweredOn")
    );
    assert_eq!(
        o.get("config.network.dnsConfig.searchDomain")
            .unwrap()
            .strings(),
        ["lab.local", "corp.local"]
    );
}

#[test]
fn the_xsi_prefix_bound_to_another_namespace_is_no_type() {
    let body = answer("xsi", true).replace(
        r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
        r#" xmlns:xsi="urn:not-the-schema-instance""#,
    );
    let o = read(&body);
    // Without a type, a leaf reads as a string and `xsd:long` is not applied.
    assert_eq!(
        o.get("summary.hardware.memorySize").unwrap(),
        &Value::String("274877906944".into())
    );
    assert_eq!(o.get("datastore").unwrap().type_name(), "Object");
}

#[test]
fn unknown_types_are_kept_with_their_children_never_fatal() {
    let o = read(&answer("XMLSchema-instance", false));
    let product = o.get("config.product").unwrap().as_object().unwrap();
    assert_eq!(product.type_name, "AboutInfo");
    assert_eq!(product.node().string("apiVersion").unwrap(), "8.0.2.0");
    let future = o.get("capability.futureThing").unwrap();
    assert_eq!(future.type_name(), "HostFutureCapability2031");
    let node = future.as_object().unwrap().node();
    assert!(node.bool("flag").unwrap());
    let inner = node.require("inner").unwrap();
    assert_eq!(inner.xsi_type(), Some("SomethingElse"));
    assert_eq!(inner.i64("x").unwrap(), 1);
    assert_eq!(
        inner.path(),
        "RetrievePropertiesExResponse.returnval.objects[0].propSet[9].val.inner"
    );
}

#[test]
fn a_value_not_of_its_type_is_an_error_naming_the_property() {
    let body = answer("xsi", true).replace(">274877906944<", ">256 GB<");
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    let err = RetrieveResult::from_response(r).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected response at `RetrievePropertiesExResponse.returnval.objects[0].propSet[1].val`: expected an integer, found `256 GB`"
    );
    for (from, to) in [
        (">false<", ">no<"),
        (">2026-04-30T22:15:03.481Z<", ">yesterday<"),
        (r#" type="ClusterComputeResource""#, ""),
    ] {
        let body = answer("xsi", true).replace(from, to);
        let r =
            parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
        assert!(
            matches!(
                RetrieveResult::from_response(r),
                Err(SoapError::Unexpected { .. })
            ),
            "{to}"
        );
    }
}

#[test]
fn a_long_wrong_value_is_quoted_cut() {
    let long = "9".repeat(10_000) + "x";
    let body = answer("xsi", true).replace(">274877906944<", &format!(">{long}<"));
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    let err = RetrieveResult::from_response(r).unwrap_err().to_string();
    assert!(err.contains("(10001 bytes in all)"), "{err}");
    assert!(err.len() < 300, "{}", err.len());
}

#[test]
fn the_envelope_names_the_method_in_vim25_with_this_first_and_escapes_texts() {
    let vm = ManagedObjectReference::new("VirtualMachine", "vm-42");
    let mut req = Request::new("ReconfigVM_Task", &vm);
    req.element("spec", |w| {
        w.element("extraConfig", |w| {
            w.text("key", "guestinfo.note");
            w.typed_text("value", "xsd:string", "a<b & \"c\"\r\n");
        });
        w.element("deviceChange", |w| {
            w.text("operation", "add");
            w.typed_element("device", "VirtualDisk", |w| {
                w.int("key", -100);
                w.moref(
                    "datastore",
                    &ManagedObjectReference::new("Datastore", "datastore-11"),
                );
                w.bool("thinProvisioned", true);
            });
        });
    });
    assert_eq!(
        format!("{req:?}"),
        "Request { method: \"ReconfigVM_Task\", .. }"
    );
    let body = req.finish();
    assert!(body.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#));
    assert!(body.contains(r#"<soapenv:Body><ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this><spec><extraConfig><key>guestinfo.note</key><value xsi:type="xsd:string">a&lt;b &amp; "c"&#13;
</value></extraConfig>"#), "{body}");
    assert!(body.ends_with("</ReconfigVM_Task></soapenv:Body></soapenv:Envelope>"));

    // It reads back: the value keeps its text and its type.
    let doc = parse_document(body.as_bytes(), &Limits::default()).unwrap();
    let root = Node::new(&doc, "Envelope");
    let call = root
        .require("Body")
        .unwrap()
        .require("ReconfigVM_Task")
        .unwrap();
    let value = call
        .require("spec")
        .unwrap()
        .require("extraConfig")
        .unwrap()
        .require("value")
        .unwrap();
    assert_eq!(value.xsi_type(), Some("string"));
    assert_eq!(value.text(), "a<b & \"c\"\r\n");
    let device = call
        .require("spec")
        .unwrap()
        .require("deviceChange")
        .unwrap()
        .require("device")
        .unwrap();
    assert_eq!(device.xsi_type(), Some("VirtualDisk"));
    assert_eq!(device.i64("key").unwrap(), -100);
    assert_eq!(device.moref("datastore").unwrap().value, "datastore-11");

    assert_eq!(soap_action("8.0.2.0"), "urn:vim25/8.0.2.0");
    assert_eq!(CONTENT_TYPE, "text/xml; charset=\"utf-8\"");
}

#[test]
fn a_moref_attribute_is_escaped() {
    let body = Request::new("X", &ManagedObjectReference::new("A\"B", "session[1]<2>")).finish();
    assert!(
        body.contains(r#"<_this type="A&quot;B">session[1]&lt;2&gt;</_this>"#),
        "{body}"
    );
}

#[test]
fn the_service_content_of_vcsim_reads() {
    let r = parse_response(
        include_str!("fixtures/vcsim/retrieve_service_content.xml").as_bytes(),
        "RetrieveServiceContent",
        &Limits::default(),
    )
    .unwrap();
    let content = r.returnval().unwrap();
    assert_eq!(
        content
            .require("about")
            .unwrap()
            .string("apiVersion")
            .unwrap(),
        "6.5"
    );
    assert_eq!(
        content.moref("propertyCollector").unwrap(),
        ManagedObjectReference::new("PropertyCollector", "propertyCollector")
    );
    assert_eq!(content.moref("rootFolder").unwrap().value, "group-d1");
}

#[test]
fn an_envelope_of_another_namespace_or_another_root_is_refused() {
    for (body, expected) in [
        (
            r#"<Envelope><Body><LoginResponse/></Body></Envelope>"#,
            "unexpected response at `Envelope`: expected a SOAP envelope",
        ),
        (
            r#"<html><body>Bad gateway</body></html>"#,
            "unexpected response at `html`",
        ),
        (
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>"#,
            "unexpected response at `Envelope.Body`: expected a SOAP `Body`, found none",
        ),
        (
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>"#,
            "unexpected response at `Envelope.Body`: expected `LoginResponse`, found an empty body",
        ),
    ] {
        let err = parse_response(body.as_bytes(), "Login", &Limits::default()).unwrap_err();
        assert!(err.to_string().starts_with(expected), "{err}");
    }
}

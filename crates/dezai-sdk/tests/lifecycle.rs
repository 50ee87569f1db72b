//! Resources the emulator remembers, end to end through the SDK, with no world file: the
//! documents' examples' world, where every create, listing, state change and removal follows
//! the conventions of `dezai_spec::resources`. For udb, uredis, uhost and udisk: create, wait
//! for the running state, rename, stop (for a disk: attach), wait, start (detach), delete, and
//! a listing that no longer holds it. For udb: an instance created, backed up, waited for,
//! downloaded and checked against its MD5.

use std::time::{Duration, Instant};

use dezai_emulator::Emulator;
use dezai_sdk::backups;
use dezai_sdk::prelude::*;
use serde_json::{Value, json};

const KEYS: (&str, &str) = ("life-public", "life-private");
/// Every request names the zone: some documents require it, the rest take it.
const ZONE: &str = "cn-bj2-04";

async fn emulator() -> Emulator {
    dezai_sdk::specs()
        .into_iter()
        .fold(Emulator::builder(), |b, (_, json)| b.spec_json(json))
        .key_pair(KEYS.0, KEYS.1)
        .example_world(Duration::from_millis(300))
        .start()
        .await
        .unwrap()
}

fn client(emulator: &Emulator) -> Client {
    let config = Config::builder()
        .credentials(Credentials::new(KEYS.0, KEYS.1))
        .base_url(emulator.url())
        .region("cn-bj2")
        .zone("cn-bj2-04")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

/// Whether every action a case names is in this build's specs.
fn documented(actions: &[&str]) -> bool {
    let all: Vec<String> = dezai_sdk::specs()
        .into_iter()
        .flat_map(|(_, json)| dezai_spec::ProductSpec::from_json(json).unwrap().actions)
        .map(|a| a.name)
        .collect();
    actions.iter().all(|a| all.iter().any(|b| b == a))
}

/// One resource type's sequence, by its documents' names.
struct Case {
    create: &'static str,
    params: Value,
    /// The create answer's id field, and the id's name in requests.
    created: &'static str,
    id: &'static str,
    list: &'static str,
    /// The list filter's name, and whether it is a list (`UHostIds.0`).
    filter: (&'static str, bool),
    items: &'static str,
    name_field: &'static str,
    state_field: &'static str,
    rename: (&'static str, &'static str),
    running: &'static str,
    /// The change away from running and back, with the state between.
    away: (&'static str, &'static str),
    back: &'static str,
    delete: &'static str,
}

impl Case {
    async fn item(&self, client: &Client, id: &str) -> Option<Value> {
        let filter = match self.filter {
            (name, true) => json!({ format!("{name}.0"): id }),
            (name, false) => json!({ name: id }),
        };
        let mut params = filter;
        if self.list == "DescribeURedisGroup" || self.list == "DescribeUDBInstance" {
            params["Offset"] = json!(0);
            params["Limit"] = json!(20);
        }
        let answer = client.invoke(self.list, params).await.unwrap();
        assert_eq!(answer["RetCode"], 0, "{answer}");
        let items = answer[self.items].as_array().unwrap().clone();
        assert!(items.len() <= 1, "filtered by one id: {answer}");
        items.into_iter().next()
    }

    async fn wait_for(&self, client: &Client, id: &str, state: &str) -> Value {
        let started = Instant::now();
        loop {
            let item = self.item(client, id).await.expect("listed");
            if item[self.state_field] == state {
                return item;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} never reached {state}: {item}",
                self.create
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn run(&self, client: &Client) {
        let answer = client
            .invoke(self.create, self.params.clone())
            .await
            .unwrap();
        let id = match &answer[self.created] {
            Value::Array(ids) => ids[0].as_str().unwrap().to_owned(),
            Value::String(id) => id.clone(),
            other => panic!("{}: no id in {other}", self.create),
        };
        let item = self
            .item(client, &id)
            .await
            .expect("the created resource is listed");
        assert_ne!(
            item[self.state_field], self.running,
            "first its transitional state"
        );
        let item = self.wait_for(client, &id, self.running).await;
        assert_eq!(
            item[self.name_field], self.params["Name"],
            "the request's name"
        );

        let (rename, field) = self.rename;
        client
            .invoke(
                rename,
                json!({ self.id: id, field: "renamed", "Zone": ZONE }),
            )
            .await
            .unwrap();
        let item = self.item(client, &id).await.unwrap();
        assert_eq!(item[self.name_field], "renamed", "{item}");

        let (away, settled) = self.away;
        client
            .invoke(away, json!({ self.id: id, "Zone": ZONE }))
            .await
            .unwrap();
        self.wait_for(client, &id, settled).await;
        client
            .invoke(self.back, json!({ self.id: id, "Zone": ZONE }))
            .await
            .unwrap();
        self.wait_for(client, &id, self.running).await;

        client
            .invoke(self.delete, json!({ self.id: id, "Zone": ZONE }))
            .await
            .unwrap();
        assert!(
            self.item(client, &id).await.is_none(),
            "gone from the listing"
        );
        let again = client
            .invoke(self.delete, json!({ self.id: id, "Zone": ZONE }))
            .await;
        let error = again.expect_err("an unknown id");
        assert_eq!(error.ret_code(), Some(230), "{error}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_resource_lives_through_create_rename_stop_start_and_delete() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let cases = [
        Case {
            create: "CreateUDBInstance",
            params: json!({"Zone": "cn-bj2-04", "Name": "orders", "AdminPassword": "pw",
                "DBTypeId": "mysql-8.0", "Port": 3306, "DiskSpace": 20, "ParamGroupId": 1}),
            created: "DBId",
            id: "DBId",
            list: "DescribeUDBInstance",
            filter: ("DBId", false),
            items: "DataSet",
            name_field: "Name",
            state_field: "State",
            rename: ("ModifyUDBInstanceName", "Name"),
            running: "Running",
            away: ("StopUDBInstance", "Shutoff"),
            back: "StartUDBInstance",
            delete: "DeleteUDBInstance",
        },
        Case {
            create: "CreateURedisGroup",
            params: json!({"Zone": "cn-bj2-04", "Name": "cache", "HighAvailability": "enable"}),
            created: "GroupId",
            id: "GroupId",
            list: "DescribeURedisGroup",
            filter: ("GroupId", false),
            items: "DataSet",
            name_field: "Name",
            state_field: "State",
            rename: ("ModifyURedisGroupName", "Name"),
            running: "Running",
            // The documents list no stopped state of a group: a restart passes through none
            // and ends running.
            away: ("RestartURedisGroup", "Running"),
            back: "StartURedisGroup",
            delete: "DeleteURedisGroup",
        },
        Case {
            create: "CreateUHostInstance",
            params: json!({"Zone": "cn-bj2-04", "Name": "web-1", "ImageId": "uimage-1",
                "LoginMode": "Password", "Password": "cGFzcw==",
                "Disks": [{"IsBoot": "True", "Type": "CLOUD_SSD", "Size": 40}]}),
            created: "UHostIds",
            id: "UHostId",
            list: "DescribeUHostInstance",
            filter: ("UHostIds", true),
            items: "UHostSet",
            name_field: "Name",
            state_field: "State",
            rename: ("ModifyUHostInstanceName", "Name"),
            running: "Running",
            away: ("StopUHostInstance", "Stopped"),
            back: "StartUHostInstance",
            delete: "TerminateUHostInstance",
        },
        Case {
            create: "CreateUDisk",
            params: json!({"Zone": "cn-bj2-04", "Name": "data-1", "Size": 100}),
            created: "UDiskId",
            id: "UDiskId",
            list: "DescribeUDisk",
            filter: ("UDiskId", false),
            items: "DataSet",
            name_field: "Name",
            state_field: "Status",
            rename: ("RenameUDisk", "UDiskName"),
            running: "Available",
            away: ("AttachUDisk", "InUse"),
            back: "DetachUDisk",
            delete: "DeleteUDisk",
        },
    ];
    for case in &cases {
        let named = [
            case.create,
            case.list,
            case.rename.0,
            case.away.0,
            case.back,
            case.delete,
        ];
        if documented(&named) {
            case.run(&client).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_created_instance_is_backed_up_and_its_backup_downloaded_whole() {
    if !documented(&[
        "CreateUDBInstance",
        "BackupUDBInstance",
        "DescribeUDBInstanceBackupURL",
    ]) {
        return;
    }
    let emulator = emulator().await;
    let client = client(&emulator);
    let created = client
        .invoke(
            "CreateUDBInstance",
            json!({"Zone": "cn-bj2-04", "Name": "ledger", "AdminPassword": "pw",
                "DBTypeId": "mysql-8.0", "Port": 3306, "DiskSpace": 20, "ParamGroupId": 1}),
        )
        .await
        .unwrap();
    let id = created["DBId"].as_str().unwrap().to_owned();
    let udb = backups::kind("udb").unwrap();
    let backup = backups::create(&client, udb, &id, "first").await.unwrap();
    let done = backups::wait(&client, udb, &id, &backup)
        .timeout(Duration::from_secs(10))
        .delays(Duration::from_millis(20), Duration::from_millis(100))
        .await
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("ledger.xb");
    let downloaded = backups::download(&client, udb, &id, &done, &file)
        .await
        .unwrap();
    assert!(
        downloaded.verified(),
        "checked against the URL action's MD5"
    );
    assert!(downloaded.bytes() > 0);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), downloaded.bytes());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undocumented_action_is_answered_only_when_lenient_and_counted() {
    let strict = emulator().await;
    let refused = client(&strict)
        .invoke("DescribeThingNobodyDocumented", json!({}))
        .await;
    assert!(refused.is_err(), "refused by default");

    let lenient = dezai_sdk::specs()
        .into_iter()
        .fold(Emulator::builder(), |b, (_, json)| b.spec_json(json))
        .key_pair(KEYS.0, KEYS.1)
        .lenient(true)
        .start()
        .await
        .unwrap();
    let client = client(&lenient);
    for _ in 0..2 {
        let answer = client
            .invoke("DescribeThingNobodyDocumented", json!({"ThingId": "t-1"}))
            .await
            .unwrap();
        assert_eq!(answer["RetCode"], 0);
        assert_eq!(answer["Action"], "DescribeThingNobodyDocumentedResponse");
        assert_eq!(
            answer.as_object().unwrap().len(),
            2,
            "nothing else: {answer}"
        );
    }
    assert_eq!(
        lenient.undocumented(),
        [("DescribeThingNobodyDocumented".to_owned(), 2)]
    );
}

/// A made-up product whose create answers the new id inside a list of models
/// (`WidgetSet.0.WidgetId`), as some published creates do (`AllocateEIP`).
fn widget_spec() -> String {
    let field = |name: &str, ty: Value, required: bool| json!({"name": name, "type": ty, "required": required, "description": "", "line": 1});
    let text = json!({"kind": "string"});
    let set = json!({"kind": "list", "item": {"kind": "model", "name": "WidgetSet"}});
    let model = json!({"name": "WidgetSet", "line": 1, "fields": [
        field("WidgetId", text.clone(), true), field("Name", text.clone(), false)]});
    let action = |name: &str, request: Vec<Value>| {
        json!({"name": name, "summary": "", "description": "", "source": "widget.md",
            "request": request, "response": [field("WidgetSet", set.clone(), false)],
            "models": [model.clone()], "request_example": [], "warnings": []})
    };
    let ids = json!({"kind": "list", "item": {"kind": "string"}});
    json!({"format_version": 3, "product": "widgetry", "generated": "", "actions": [
        action("AllocateWidget", vec![field("Name", text.clone(), false)]),
        action("DescribeWidget", vec![field("WidgetIds", ids, false)]),
        action("ReleaseWidget", vec![field("WidgetId", text.clone(), true)]),
    ]})
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_id_answered_inside_a_list_of_models_is_remembered_too() {
    let emulator = Emulator::builder()
        .spec_json(widget_spec())
        .key_pair(KEYS.0, KEYS.1)
        .world(dezai_emulator::World::new())
        .start()
        .await
        .unwrap();
    let client = client(&emulator);
    let made = client
        .invoke("AllocateWidget", json!({"Name": "gear"}))
        .await
        .unwrap();
    let id = made["WidgetSet"][0]["WidgetId"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = client
        .invoke("DescribeWidget", json!({"WidgetIds.0": id}))
        .await
        .unwrap();
    assert_eq!(listed["WidgetSet"][0]["Name"], "gear", "{listed}");
    assert_eq!(listed["WidgetSet"].as_array().unwrap().len(), 1);
    client
        .invoke("ReleaseWidget", json!({"WidgetId": id}))
        .await
        .unwrap();
    let after = client
        .invoke("DescribeWidget", json!({"WidgetIds.0": id}))
        .await
        .unwrap();
    assert_eq!(after["WidgetSet"], json!([]), "{after}");
}

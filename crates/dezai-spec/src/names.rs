//! The one rule that turns wire names into Rust names, shared by the parser (which records
//! renames in the spec and warns about collisions) and the generator (which emits the names).
//!
//! A wire name is split into words, and the words are joined as `UpperCamelCase` for types
//! (`DescribeUDBInstanceBackupURL` → `DescribeUdbInstanceBackupUrl`) or `snake_case` for
//! functions, modules and fields (`describe_udb_instance_backup_url`).
//!
//! # Splitting into words
//!
//! 1. **Product words first.** The product's own folder name (`umem`) and the words of
//!    [`PRODUCT_WORDS`] and [`SPECIAL_WORDS`] are one word each wherever they stand as a word in
//!    the name, in any letter case: `DescribeUMemBackupURL` → `describe`, `umem`, `backup`,
//!    `url`; `UHostIds` → `uhost`, `ids`; `IPv6Address` → `ipv6`, `address`. "As a word" means
//!    the match starts the name or follows a lower-case letter, digit or `_`, and ends the name
//!    or is followed by an upper-case letter, digit or `_`: `UDBackup` is not `UDB`. The
//!    longest word wins (`UMemcache` before `UMem`).
//! 2. **Everything else** splits as camel case does: before an upper-case letter that follows
//!    a lower-case one (`backup|Url`); before the last capital of a run of capitals followed by
//!    a lower-case letter (`VPC|Id`, `EIP|Addr`); at `_` and other non-alphanumerics. Digits
//!    belong to the word before them (`MD5`, `K8S`, `Sha1`); a capital after digits starts a
//!    new word only if a lower-case letter follows (`Disk2|Size`). Digits at the start are a
//!    word of their own (`95|Bandwidth`).
//!
//! The words a product uses depend only on its own folder and the lists here, so adding a
//! product never renames another product's identifiers. Keyword escaping and digit-led
//! identifiers are the generator's business.

/// Product names that are one word wherever they appear, besides the product's own folder
/// name: the products whose names other products' documents mention (`UHostId` in a disk
/// action) or that share a folder with another (`URedis` in `umem`). Matched in any letter
/// case.
pub const PRODUCT_WORDS: &[&str] = &[
    "UAccount",
    "UBill",
    "UCDN",
    "UCompShare",
    "UDB",
    "UDDB",
    "UDisk",
    "UDPN",
    "UDTS",
    "UDW",
    "UES",
    "UFile",
    "UFS",
    "UGN",
    "UHadoop",
    "UHost",
    "UHub",
    "UK8S",
    "UKafka",
    "ULB",
    "ULHost",
    "UMem",
    "UMemcache",
    "UMon",
    "UMongoDB",
    "UNet",
    "UPgSQL",
    "UPHost",
    "UPhone",
    "URedis",
    "USMS",
    "UVMS",
];

/// Technical words whose case pattern would otherwise split them (`IPv6` → `i`, `pv6`).
pub const SPECIAL_WORDS: &[&str] = &["IPv4", "IPv6"];

/// The naming rule for the documents of one product: see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Namer {
    /// Whole words, lower-case, longest first, as characters (compared at every word start).
    words: Vec<Vec<char>>,
    /// Words already split: generation asks for the same names (`Region`, `ProjectId`, a
    /// struct's fields) many times over.
    cache: std::cell::RefCell<std::collections::HashMap<String, Vec<String>>>,
}

impl Namer {
    /// The rule for the product whose documents are in the folder `product` (`umem`).
    pub fn for_product(product: &str) -> Self {
        let mut words: Vec<String> = PRODUCT_WORDS
            .iter()
            .chain(SPECIAL_WORDS)
            .map(|w| w.to_ascii_lowercase())
            .collect();
        if !product.is_empty() && product.bytes().all(|b| b.is_ascii_alphanumeric()) {
            words.push(product.to_ascii_lowercase());
        }
        // Longest first, so that `umemcache` is tried before `umem`; ties alphabetical, so
        // the order (and so the result) never depends on the list's own order.
        words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        words.dedup();
        Self {
            words: words.iter().map(|w| w.chars().collect()).collect(),
            cache: Default::default(),
        }
    }

    /// The rule for a document at `file` (`umem/describe_umem_backup_url.md`): its folder is
    /// its product.
    pub fn for_document(file: &str) -> Self {
        let product = file
            .rsplit_once('/')
            .map(|(dir, _)| dir.rsplit('/').next().unwrap_or(dir))
            .unwrap_or("");
        Self::for_product(product)
    }

    /// The words of a wire name, lower-case, in order.
    pub fn words(&self, wire: &str) -> Vec<String> {
        if let Some(words) = self.cache.borrow().get(wire) {
            return words.clone();
        }
        let words = self.split(wire);
        let mut cache = self.cache.borrow_mut();
        // A product has a few thousand distinct names; anything beyond (a fuzzer's endless
        // new ones) starts the cache afresh rather than growing it.
        if cache.len() >= 16_384 {
            cache.clear();
        }
        cache.insert(wire.to_owned(), words.clone());
        words
    }

    fn split(&self, wire: &str) -> Vec<String> {
        let chars: Vec<char> = wire.chars().collect();
        let mut words = Vec::new();
        let mut current = String::new();
        let mut i = 0;
        while i < chars.len() {
            if let Some(len) = self.whole_word_at(&chars, i) {
                flush(&mut current, &mut words);
                words.push(chars[i..i + len].iter().collect::<String>().to_lowercase());
                i += len;
                continue;
            }
            let c = chars[i];
            if !c.is_alphanumeric() {
                flush(&mut current, &mut words);
                i += 1;
                continue;
            }
            if !current.is_empty() && starts_word(&chars, i) {
                flush(&mut current, &mut words);
            }
            current.extend(c.to_lowercase());
            i += 1;
        }
        flush(&mut current, &mut words);
        words
    }

    /// The length of the whole word (product or special) that starts at `i`, if any.
    fn whole_word_at(&self, chars: &[char], i: usize) -> Option<usize> {
        let starts = i == 0 || {
            let before = chars[i - 1];
            before.is_lowercase() || before.is_ascii_digit() || !before.is_alphanumeric()
        };
        if !starts {
            return None;
        }
        let first = chars[i].to_ascii_lowercase();
        self.words.iter().find_map(|word| {
            if word[0] != first {
                return None;
            }
            let len = word.len();
            let candidate = chars.get(i..i + len)?;
            let same = candidate
                .iter()
                .zip(word)
                .all(|(c, w)| c.to_ascii_lowercase() == *w);
            let ends = match chars.get(i + len) {
                None => true,
                Some(next) => {
                    next.is_uppercase() || next.is_ascii_digit() || !next.is_alphanumeric()
                }
            };
            (same && ends).then_some(len)
        })
    }

    /// The UpperCamelCase type name of a wire name.
    pub fn type_name(&self, wire: &str) -> String {
        self.words(wire)
            .iter()
            .map(|word| {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                }
            })
            .collect()
    }

    /// The snake_case name of a wire name, for fields, functions and modules.
    pub fn snake_name(&self, wire: &str) -> String {
        self.words(wire).join("_")
    }

    /// The kebab-case name of a wire name, for command lines.
    pub fn kebab_name(&self, wire: &str) -> String {
        self.words(wire).join("-")
    }

    /// The names of the types the generator derives for an action: `…Request`, `…Response`,
    /// `…Call` and `…ResponseBuilder`. A data model may not take one of them.
    pub fn action_type_names(&self, action: &str) -> [String; 4] {
        let base = self.type_name(action);
        [
            format!("{base}Request"),
            format!("{base}Response"),
            format!("{base}Call"),
            format!("{base}ResponseBuilder"),
        ]
    }

    /// Rust names for the fields of one structure, in order: each field's snake_case name, or
    /// for a name already taken (by an earlier field, or by one of `reserved`) the name with
    /// `_2`, `_3`, … appended. Deterministic: it depends only on the names and their order.
    pub fn field_names<'a>(
        &self,
        wires: impl IntoIterator<Item = &'a str>,
        reserved: &[&str],
    ) -> Vec<String> {
        let mut taken: std::collections::HashSet<String> =
            reserved.iter().map(|r| (*r).to_owned()).collect();
        // The next suffix to try for each base, so that many fields of one name stay linear.
        let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        wires
            .into_iter()
            .map(|wire| {
                let mut base = self.snake_name(wire);
                if base.is_empty() {
                    // A name of underscores only (`_`) has no snake_case form.
                    base = "field".to_owned();
                }
                if taken.insert(base.clone()) {
                    return base;
                }
                let n = next.entry(base.clone()).or_insert(2);
                loop {
                    let name = format!("{base}_{n}");
                    *n += 1;
                    if taken.insert(name.clone()) {
                        return name;
                    }
                }
            })
            .collect()
    }
}

/// Whether the character at `i` (not the first of the current word) starts a new word.
fn starts_word(chars: &[char], i: usize) -> bool {
    let (before, c) = (chars[i - 1], chars[i]);
    let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
    if c.is_ascii_digit() {
        // Digits belong to the word before them.
        return false;
    }
    if before.is_ascii_digit() {
        // Digits at the very start are a word of their own (`95|Bandwidth`); after a word,
        // a capital starts a new word only if a lower-case letter follows (`Disk2|Size`, but
        // `K8S`).
        let leading_digits = chars[..i].iter().all(|c| c.is_ascii_digit());
        return c.is_uppercase() && (leading_digits || next_is_lower);
    }
    if c.is_uppercase() {
        // `backup|Url`, and the last capital of a run before lower case: `VPC|Id`.
        return before.is_lowercase() || (before.is_uppercase() && next_is_lower);
    }
    // A lower-case letter (or one without case) continues the word.
    !before.is_alphanumeric()
}

fn flush(current: &mut String, words: &mut Vec<String>) {
    if !current.is_empty() {
        words.push(std::mem::take(current));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_get_numbered_in_order() {
        let n = Namer::for_product("udb");
        assert_eq!(
            n.field_names(["BackupId", "BackupID", "Backup_Id", "New"], &["new"]),
            ["backup_id", "backup_id_2", "backup_id_3", "new_2"]
        );
        assert_eq!(
            n.field_names(["_", "Field", "__"], &[]),
            ["field", "field_2", "field_3"]
        );
    }

    /// (product folder, wire name, snake_case, UpperCamelCase).
    #[rustfmt::skip]
    const TABLE: &[(&str, &str, &str, &str)] = &[
        // The seeds.
        ("udb", "DescribeUDBInstanceBackupURL", "describe_udb_instance_backup_url", "DescribeUdbInstanceBackupUrl"),
        ("umem", "DescribeUMemBackupURL", "describe_umem_backup_url", "DescribeUmemBackupUrl"),
        ("umem", "DescribeURedisBackupURL", "describe_uredis_backup_url", "DescribeUredisBackupUrl"),
        ("umongodb", "DescribeUMongoDBBackupURL", "describe_umongodb_backup_url", "DescribeUmongodbBackupUrl"),
        ("upgsql", "GetUPgSQLBackupURL", "get_upgsql_backup_url", "GetUpgsqlBackupUrl"),
        ("udb", "DBId", "db_id", "DbId"),
        ("udb", "BackupId", "backup_id", "BackupId"),
        ("udb", "ValidTime", "valid_time", "ValidTime"),
        ("udb", "BackupPath", "backup_path", "BackupPath"),
        ("udb", "InnerBackupPath", "inner_backup_path", "InnerBackupPath"),
        ("udb", "MD5", "md5", "Md5"),
        ("udb", "RetCode", "ret_code", "RetCode"),
        ("udb", "ProjectId", "project_id", "ProjectId"),
        ("umem", "GroupId", "group_id", "GroupId"),
        ("umongodb", "ClusterId", "cluster_id", "ClusterId"),
        // Product words from the folder and from the list.
        ("uhost", "DescribeUHostInstance", "describe_uhost_instance", "DescribeUhostInstance"),
        ("uhost", "UHostIds", "uhost_ids", "UhostIds"),
        ("uhost", "UHostId", "uhost_id", "UhostId"),
        ("uhost", "UHostSet", "uhost_set", "UhostSet"),
        ("uhost", "UHostDiskSet", "uhost_disk_set", "UhostDiskSet"),
        ("uhost", "CreateUHostInstance", "create_uhost_instance", "CreateUhostInstance"),
        ("uhost", "GetUHostInstancePrice", "get_uhost_instance_price", "GetUhostInstancePrice"),
        ("udisk", "AttachUDisk", "attach_udisk", "AttachUdisk"),
        ("udisk", "UDiskId", "udisk_id", "UdiskId"),
        ("unet", "AllocateEIP", "allocate_eip", "AllocateEip"),
        ("unet", "EIPAddr", "eip_addr", "EipAddr"),
        ("unet", "EIPId", "eip_id", "EipId"),
        ("unet", "DescribeEIP", "describe_eip", "DescribeEip"),
        ("ulb", "CreateULB", "create_ulb", "CreateUlb"),
        ("ulb", "ULBId", "ulb_id", "UlbId"),
        ("ulb", "DescribeVServer", "describe_v_server", "DescribeVServer"),
        ("ulb", "VServerId", "v_server_id", "VServerId"),
        ("ulb", "SSLId", "ssl_id", "SslId"),
        ("vpc", "VPCId", "vpc_id", "VpcId"),
        ("vpc", "CreateVPC", "create_vpc", "CreateVpc"),
        ("vpc", "SubnetId", "subnet_id", "SubnetId"),
        ("vpc", "DescribeVPCIntercom", "describe_vpc_intercom", "DescribeVpcIntercom"),
        ("ufile", "CreateUFileBucket", "create_ufile_bucket", "CreateUfileBucket"),
        ("uk8s", "CreateUK8SClusterV2", "create_uk8s_cluster_v2", "CreateUk8sClusterV2"),
        ("uk8s", "ListUK8SClusterNodeV2", "list_uk8s_cluster_node_v2", "ListUk8sClusterNodeV2"),
        ("uk8s", "K8SVersion", "k8s_version", "K8sVersion"),
        ("uk8s", "K8S", "k8s", "K8s"),
        ("uphone", "CreateUPhone", "create_uphone", "CreateUphone"),
        ("uphone", "UPhoneIds", "uphone_ids", "UphoneIds"),
        ("uphost", "DescribePHost", "describe_p_host", "DescribePHost"),
        ("uphost", "CreateUPHostInstance", "create_uphost_instance", "CreateUphostInstance"),
        ("umem", "CreateUMemcacheGroup", "create_umemcache_group", "CreateUmemcacheGroup"),
        ("umem", "UMemSpaceSet", "umem_space_set", "UmemSpaceSet"),
        ("udb", "UDBInstanceSet", "udb_instance_set", "UdbInstanceSet"),
        ("udb", "DescribeUDBSlave", "describe_udb_slave", "DescribeUdbSlave"),
        ("udb", "UDBSSL", "udb_ssl", "UdbSsl"),
        // Not a product word where it does not stand as a word.
        ("udb", "UDBackup", "ud_backup", "UdBackup"),
        ("udb", "VALUES", "values", "Values"),
        // Acronym runs, digits and separators.
        ("unet", "IPv6", "ipv6", "Ipv6"),
        ("unet", "IPv6Address", "ipv6_address", "Ipv6Address"),
        ("unet", "AssignIPv6Address", "assign_ipv6_address", "AssignIpv6Address"),
        ("unet", "IPv4Addr", "ipv4_addr", "Ipv4Addr"),
        ("unet", "IPSet", "ip_set", "IpSet"),
        ("unet", "95Bandwidth", "95_bandwidth", "95Bandwidth"),
        ("unet", "BandwidthPackageId", "bandwidth_package_id", "BandwidthPackageId"),
        ("udb", "Disk2Size", "disk2_size", "Disk2Size"),
        ("udb", "Sha1Sum", "sha1_sum", "Sha1Sum"),
        ("udb", "HTTPSURL", "httpsurl", "Httpsurl"),
        ("udb", "URLList", "url_list", "UrlList"),
        ("udb", "Disks.N.Size", "disks_n_size", "DisksNSize"),
        ("udb", "backup_id", "backup_id", "BackupId"),
        ("udb", "Backup_Id", "backup_id", "BackupId"),
        ("udb", "createTime", "create_time", "CreateTime"),
        ("udb", "ID", "id", "Id"),
        ("udb", "Id", "id", "Id"),
        ("udb", "_", "", ""),
        // The product's own folder is a word even when the list does not know it.
        ("ulab", "DescribeULabWidget", "describe_ulab_widget", "DescribeUlabWidget"),
        ("pathx", "DescribePathXSSL", "describe_pathx_ssl", "DescribePathxSsl"),
        ("tidb", "CreateTiDBService", "create_tidb_service", "CreateTidbService"),
        // …and only for its own documents.
        ("udb", "DescribeULabWidget", "describe_u_lab_widget", "DescribeULabWidget"),
    ];

    #[test]
    fn the_rule_on_real_looking_names() {
        assert!(TABLE.len() >= 60);
        let mut wrong = Vec::new();
        for (product, wire, snake, camel) in TABLE {
            let n = Namer::for_product(product);
            let got = (n.snake_name(wire), n.type_name(wire));
            if got.0 != *snake || got.1 != *camel {
                wrong.push(format!(
                    "{product}/{wire}: got {got:?}, want ({snake:?}, {camel:?})"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn kebab_case_for_command_lines() {
        let n = Namer::for_product("udb");
        assert_eq!(
            n.kebab_name("DescribeUDBInstanceBackupURL"),
            "describe-udb-instance-backup-url"
        );
    }

    #[test]
    fn a_document_folder_is_its_product() {
        let n = Namer::for_document("ulab/describe_ulab_widget.md");
        assert_eq!(n.snake_name("DescribeULabWidget"), "describe_ulab_widget");
        let n = Namer::for_document("specs/docs/ulab/x.md");
        assert_eq!(n.snake_name("DescribeULabWidget"), "describe_ulab_widget");
    }
}

mod future {
    dezai_macros::product!("tests/ui/specs/version_99.json");
}
fn main() {}

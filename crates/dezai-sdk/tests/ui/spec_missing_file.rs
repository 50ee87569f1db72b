mod missing {
    dezai_macros::product!("tests/ui/specs/no_such_spec.json");
}
fn main() {}

mod bad {
    dezai_macros::product!("tests/ui/specs/undefined_model.json");
}
fn main() {}

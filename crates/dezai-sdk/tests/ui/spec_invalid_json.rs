mod broken {
    dezai_macros::product!("tests/ui/specs/invalid.json");
}
fn main() {}

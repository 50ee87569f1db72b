mod twins {
    dezai_macros::product!("tests/ui/specs/collision.json");
}
fn main() {}

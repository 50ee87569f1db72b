mod bad {
    dezai_macros::product!("tests/ui/specs/digit_action.json");
}
fn main() {}

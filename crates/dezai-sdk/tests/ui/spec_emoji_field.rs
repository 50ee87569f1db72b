mod bad {
    dezai_macros::product!("tests/ui/specs/emoji_field.json");
}
fn main() {}

//! The generated responses' and models' [`ToJson`](crate::mock::ToJson) impls, written by one
//! macro the generator calls for each struct: with the `test-util` feature it expands to the
//! impl (the struct's set fields under their wire names, then its unknown fields), without it
//! to nothing, so that a build that ships compiles nothing of it.

/// `__to_json!(Name { field: "Wire", … })`: see the [module docs](self).
#[cfg(feature = "test-util")]
#[doc(hidden)]
#[macro_export]
macro_rules! __to_json {
    ($name:ident { $($field:ident : $wire:literal),* $(,)? }) => {
        #[allow(deprecated)]
        impl $crate::mock::ToJson for $name {
            fn to_json(&self) -> $crate::serde_json::Value {
                let mut map = self.unknown_fields.clone();
                $(
                    if let ::std::option::Option::Some(value) = &self.$field {
                        map.insert(
                            ::std::string::String::from($wire),
                            $crate::mock::ToJson::to_json(value),
                        );
                    }
                )*
                $crate::serde_json::Value::Object(map)
            }
        }
    };
}

/// `__to_json!(…)` without the `test-util` feature: nothing.
#[cfg(not(feature = "test-util"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __to_json {
    ($($tokens:tt)*) => {};
}

//! Option checks of libxtables' option parser (`xtoptions.c`) for the
//! extensions that keep their own option flags.

use crate::error::{Error, Result};

/// Refuses `!` before an option that cannot be inverted.
pub(crate) fn no_invert(ext: &str, option: &str, invert: bool) -> Result<()> {
    if invert {
        return Err(Error::rule(
            option,
            format!("{ext}: option \"{option}\" cannot be inverted"),
        ));
    }
    Ok(())
}

/// Refuses an option given twice (`already` says it was seen).
pub(crate) fn once(ext: &str, option: &str, already: bool) -> Result<()> {
    if already {
        return Err(Error::rule(
            option,
            format!("{ext}: option \"{option}\" can only be used once"),
        ));
    }
    Ok(())
}

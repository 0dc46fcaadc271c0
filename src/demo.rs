//! The seed's demo data, created once on first start against an empty Redis, through the
//! modules' own stores.

use chat_auth::{AuthStore, Password, Registered, Username};
use chat_core::{context::timed, redis, Ctx, Failure, RoomId, TextInput, UserId};
use chat_messages::MessagesStore;
use chat_rooms::RoomsStore;

/// Set once by whichever instance creates the demo data (so two instances starting
/// together create it once). Owned here.
const DEMO_MARKER: &str = "demo_data";

pub const DEMO_USERS: [&str; 4] = ["Pablo", "Joe", "Mary", "Alex"];
pub const DEMO_PASSWORD: &str = "password123";

/// Creates the demo data unless Redis already holds users or demo data.
pub async fn ensure(
    ctx: &Ctx,
    auth: &AuthStore,
    rooms: &RoomsStore,
    messages: &MessagesStore,
) -> Result<bool, Failure> {
    if auth.user_count().await? > 0 {
        return Ok(false);
    }
    let mut conn = ctx.redis()?;
    let claimed: Option<String> = timed(
        "set",
        redis::cmd("SET")
            .arg(DEMO_MARKER)
            .arg(ctx.server_id())
            .arg("NX")
            .query_async(&mut conn),
    )
    .await?;
    drop(conn);
    if claimed.is_none() {
        return Ok(false);
    }
    let password = Password::parse(DEMO_PASSWORD).map_err(|(_, m)| Failure::internal(m))?;
    let mut ids = Vec::new();
    for name in DEMO_USERS {
        let username = Username::parse(name).map_err(|(_, m)| Failure::internal(m))?;
        match auth.register(&username, &password, None).await? {
            Registered::Created(u) => ids.push(u.id),
            Registered::Taken | Registered::Limited(_) => match auth.user_id(name).await? {
                Some(id) => ids.push(id),
                None => return Err(Failure::internal(format!("demo user {name} vanished"))),
            },
        }
    }
    let (pablo, joe, mary, alex) = (ids[0], ids[1], ids[2], ids[3]);
    let now = chat_core::now_secs();
    let mut at = now - 3600.0;
    let mut say = |user: UserId, room: RoomId, text: &'static str| {
        at += 60.0;
        (user, room, text, at)
    };
    let general = RoomId::general();
    let script = vec![
        say(pablo, general.clone(), "Hello!"),
        say(joe, general.clone(), "Hi Pablo! Welcome to the chat."),
        say(mary, general.clone(), "Morning, everyone 👋"),
        say(alex, general.clone(), "Hey all. Anyone up for lunch later?"),
        say(joe, general.clone(), "Count me in."),
        say(pablo, RoomId::direct(pablo, joe), "Hey Joe, got a minute?"),
        say(joe, RoomId::direct(pablo, joe), "Sure, what's up?"),
        say(mary, RoomId::direct(mary, alex), "Hi Alex!"),
        say(alex, RoomId::direct(mary, alex), "Hi Mary, how are you?"),
        say(
            pablo,
            RoomId::direct(pablo, mary),
            "Hi Mary, nice to meet you.",
        ),
    ];
    for (a, b) in [(pablo, joe), (mary, alex), (pablo, mary)] {
        rooms.open_direct(a, b).await?;
    }
    for (user, room, text, date) in script {
        messages.append_quietly(user, &room, text, date).await?;
    }
    tracing::info!(
        "demo data created: users {} (password {DEMO_PASSWORD})",
        DEMO_USERS.join(", ")
    );
    Ok(true)
}

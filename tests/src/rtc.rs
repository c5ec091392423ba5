//! Real WebRTC peers (webrtc-rs) driven through Sangdam's signaling, for tests that must see
//! ICE complete and data flow, not just messages relayed.

use anyhow::{anyhow, bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use webrtc::api::interceptor_registry::register_default_interceptors;
use webrtc::api::media_engine::MediaEngine;
use webrtc::api::setting_engine::SettingEngine;
use webrtc::api::APIBuilder;
use webrtc::data_channel::data_channel_message::DataChannelMessage;
use webrtc::data_channel::data_channel_state::RTCDataChannelState;
use webrtc::data_channel::RTCDataChannel;
use webrtc::ice::mdns::MulticastDnsMode;
use webrtc::ice::network_type::NetworkType;
use webrtc::ice_transport::ice_candidate::RTCIceCandidateInit;
use webrtc::ice_transport::ice_server::RTCIceServer;
use webrtc::interceptor::registry::Registry;
use webrtc::peer_connection::configuration::RTCConfiguration;
use webrtc::peer_connection::policy::ice_transport_policy::RTCIceTransportPolicy;
use webrtc::peer_connection::sdp::session_description::RTCSessionDescription;
use webrtc::peer_connection::RTCPeerConnection;

use crate::signal::SignalClient;

/// A peer connection that gathers only loopback UDP candidates: tests never send media
/// anywhere but this machine, and need no STUN.
pub async fn loopback_peer_connection() -> anyhow::Result<Arc<RTCPeerConnection>> {
    peer_connection(RTCConfiguration::default()).await
}

/// The ICE configuration a `joined` hands out, as webrtc-rs takes it, keeping only the URLs
/// `keep` accepts (e.g. only UDP TURN, which is all webrtc-rs's ICE agent gathers), and
/// relay-only when `relay_only`.
pub fn ice_config(
    joined: &Value,
    keep: impl Fn(&str) -> bool,
    relay_only: bool,
) -> RTCConfiguration {
    let ice_servers = joined["ice_servers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let urls: Vec<String> = s["urls"]
                .as_array()?
                .iter()
                .filter_map(|u| u.as_str())
                .filter(|u| keep(u))
                .map(str::to_string)
                .collect();
            (!urls.is_empty()).then(|| RTCIceServer {
                urls,
                username: s["username"].as_str().unwrap_or_default().to_string(),
                credential: s["credential"].as_str().unwrap_or_default().to_string(),
            })
        })
        .collect();
    RTCConfiguration {
        ice_servers,
        ice_transport_policy: if relay_only {
            RTCIceTransportPolicy::Relay
        } else {
            RTCIceTransportPolicy::All
        },
        ..Default::default()
    }
}

/// A peer connection on loopback with `config` (its ICE servers and policy).
pub async fn peer_connection(config: RTCConfiguration) -> anyhow::Result<Arc<RTCPeerConnection>> {
    let mut media = MediaEngine::default();
    media.register_default_codecs()?;
    let registry = register_default_interceptors(Registry::new(), &mut media)?;
    let mut settings = SettingEngine::default();
    settings.set_include_loopback_candidate(true);
    settings.set_ip_filter(Box::new(|ip| ip.is_loopback()));
    settings.set_network_types(vec![NetworkType::Udp4]);
    settings.set_ice_multicast_dns_mode(MulticastDnsMode::Disabled);
    let api = APIBuilder::new()
        .with_media_engine(media)
        .with_interceptor_registry(registry)
        .with_setting_engine(settings)
        .build();
    Ok(Arc::new(api.new_peer_connection(config).await?))
}

/// What one side saw of a call. The peer connection stays up until [`CallOutcome::hang_up`],
/// so that one side finishing first does not cut the other off mid-greeting.
pub struct CallOutcome {
    /// From the start of [`run_call`] to the first data-channel message received.
    pub to_first_message: Duration,
    /// That message.
    pub received: String,
    pc: Arc<RTCPeerConnection>,
}

impl std::fmt::Debug for CallOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CallOutcome({:?} after {:?})",
            self.received, self.to_first_message
        )
    }
}

impl CallOutcome {
    /// The types of the candidates the call runs on (local, remote): `host`, `srflx`,
    /// `relay`.
    pub async fn selected_pair(&self) -> Option<(String, String)> {
        let dtls = self.pc.sctp().transport();
        let pair = dtls.ice_transport().get_selected_candidate_pair().await?;
        Some((pair.local.typ.to_string(), pair.remote.typ.to_string()))
    }

    pub async fn hang_up(self) {
        // close() can race with the transports; it is not what is being tested.
        let _ = self.pc.close().await;
    }
}

fn trace(who: &str, what: std::fmt::Arguments<'_>) {
    if std::env::var_os("SANGDAM_TEST_TRACE").is_some() {
        eprintln!("[{who}] {what}");
    }
}

/// Plays one side of a call over an already joined signaling connection: waits for
/// `call_ready`, offers or answers, trickles ICE both ways, sends `greeting` on the data
/// channel once it opens and returns the first message received from the other side.
pub async fn run_call(
    client: SignalClient,
    greeting: &str,
    timeout: Duration,
) -> anyhow::Result<CallOutcome> {
    run_call_with(client, greeting, timeout, RTCConfiguration::default()).await
}

/// As [`run_call`], with the peer connection configured by `config`.
pub async fn run_call_with(
    client: SignalClient,
    greeting: &str,
    timeout: Duration,
    config: RTCConfiguration,
) -> anyhow::Result<CallOutcome> {
    let started = Instant::now();
    let pc = peer_connection(config).await?;
    let (cand_tx, mut cand_rx) = mpsc::unbounded_channel::<RTCIceCandidateInit>();
    pc.on_ice_candidate(Box::new(move |c| {
        let tx = cand_tx.clone();
        Box::pin(async move {
            if let Some(c) = c {
                if let Ok(init) = c.to_json() {
                    let _ = tx.send(init);
                }
            }
        })
    }));
    let (msg_tx, mut msg_rx) = mpsc::unbounded_channel::<String>();
    let who = greeting.to_string();
    pc.on_peer_connection_state_change(Box::new(move |s| {
        trace(&who, format_args!("peer connection {s}"));
        Box::pin(async {})
    }));
    {
        let msg_tx = msg_tx.clone();
        let greeting = greeting.to_string();
        pc.on_data_channel(Box::new(move |dc| {
            wire(dc, msg_tx.clone(), greeting.clone());
            Box::pin(async {})
        }));
    }

    let (mut sink, mut stream) = client.into_inner().split();
    let mut pending: Vec<RTCIceCandidateInit> = Vec::new();
    let deadline = tokio::time::Instant::now() + timeout;
    let result = loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break Err(anyhow!("no data-channel message within {timeout:?}")),
            Some(text) = msg_rx.recv() => break Ok((started.elapsed(), text)),
            Some(c) = cand_rx.recv() => {
                let msg = json!({"type": "ice", "candidate": c});
                sink.send(Message::Text(msg.to_string().into())).await?;
            }
            frame = stream.next() => {
                let Some(frame) = frame else { break Err(anyhow!("signaling closed")) };
                let Message::Text(text) = frame? else { continue };
                let v: Value = serde_json::from_str(&text)?;
                trace(greeting, format_args!("got {}", v["type"]));
                match v["type"].as_str().unwrap_or_default() {
                    "call_ready" if v["offerer"] == true => {
                        let dc = pc.create_data_channel("sangdam", None).await?;
                        wire(dc, msg_tx.clone(), greeting.to_string());
                        let offer = pc.create_offer(None).await?;
                        pc.set_local_description(offer.clone()).await?;
                        let msg = json!({"type": "offer", "sdp": offer.sdp});
                        sink.send(Message::Text(msg.to_string().into())).await?;
                    }
                    "offer" => {
                        let sdp = v["sdp"].as_str().context("offer without sdp")?.to_string();
                        pc.set_remote_description(RTCSessionDescription::offer(sdp)?).await?;
                        for c in pending.drain(..) { pc.add_ice_candidate(c).await?; }
                        let answer = pc.create_answer(None).await?;
                        pc.set_local_description(answer.clone()).await?;
                        let msg = json!({"type": "answer", "sdp": answer.sdp});
                        sink.send(Message::Text(msg.to_string().into())).await?;
                    }
                    "answer" => {
                        let sdp = v["sdp"].as_str().context("answer without sdp")?.to_string();
                        pc.set_remote_description(RTCSessionDescription::answer(sdp)?).await?;
                        for c in pending.drain(..) { pc.add_ice_candidate(c).await?; }
                    }
                    "ice" => {
                        let c: RTCIceCandidateInit = serde_json::from_value(v["candidate"].clone())?;
                        if pc.remote_description().await.is_some() {
                            pc.add_ice_candidate(c).await?;
                        } else {
                            pending.push(c);
                        }
                    }
                    "error" => break Err(anyhow!("server error: {v}")),
                    "closed" => break Err(anyhow!("room closed before the call connected")),
                    _ => {}
                }
            }
        }
    };
    match result {
        Ok((to_first_message, received)) => {
            // Keep signaling open too: a closed socket would tell the other side we left.
            tokio::spawn(async move {
                let _keep = sink;
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
            Ok(CallOutcome {
                to_first_message,
                received,
                pc,
            })
        }
        Err(e) => {
            let _ = pc.close().await;
            Err(e)
        }
    }
}

fn wire(dc: Arc<RTCDataChannel>, tx: mpsc::UnboundedSender<String>, greeting: String) {
    dc.on_message(Box::new(move |m: DataChannelMessage| {
        let _ = tx.send(String::from_utf8_lossy(&m.data).into_owned());
        Box::pin(async {})
    }));
    // A channel the other side opened may already be open when it is handed over, so its
    // on_open would never fire: greet once, from whichever comes first.
    let sent = Arc::new(AtomicBool::new(false));
    let greet = move |dc: Arc<RTCDataChannel>, sent: Arc<AtomicBool>, greeting: String| async move {
        if !sent.swap(true, Ordering::SeqCst) {
            let _ = dc.send_text(greeting).await;
        }
    };
    let (opened, sent2, greeting2) = (dc.clone(), sent.clone(), greeting.clone());
    dc.on_open(Box::new(move || Box::pin(greet(opened, sent2, greeting2))));
    if dc.ready_state() == RTCDataChannelState::Open {
        tokio::spawn(greet(dc, sent, greeting));
    }
}

/// Fails unless both outcomes carry the other side's greeting.
pub fn check_exchange(
    buyer: &CallOutcome,
    vendor: &CallOutcome,
    buyer_said: &str,
    vendor_said: &str,
) -> anyhow::Result<()> {
    if buyer.received != vendor_said || vendor.received != buyer_said {
        bail!("messages crossed wrongly: {buyer:?} / {vendor:?}");
    }
    Ok(())
}

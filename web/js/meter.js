// The pre-join check's microphone level meter, without DOM: an AnalyserNode over the
// microphone's stream (the audio context is an argument) read as a level from 0 to 1.

/** The level (0–1) of time-domain samples around 0: their RMS, scaled so speech fills it. */
export function levelOf(samples) {
  if (!samples || !samples.length) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  return Math.min(1, rms * 4);
}

/**
 * A meter on `stream`'s audio: read() gives the current level, stop() lets the audio go.
 * `audioContext` is an AudioContext (or a fake with createMediaStreamSource and
 * createAnalyser); null when the stream has no audio.
 */
export function createMeter(stream, audioContext) {
  if (!stream || !audioContext || !stream.getAudioTracks || !stream.getAudioTracks().length) return null;
  const source = audioContext.createMediaStreamSource(stream);
  const analyser = audioContext.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  return {
    read() {
      analyser.getFloatTimeDomainData(buf);
      return levelOf(buf);
    },
    stop() {
      try {
        source.disconnect();
      } catch (_) {
        /* already gone */
      }
    },
  };
}

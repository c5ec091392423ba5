// English strings of the online briefings (설명회).
export default {
  err_unknown_briefing: 'There is no such briefing.',
  err_not_in_audience: 'This briefing is for other participants.',
};

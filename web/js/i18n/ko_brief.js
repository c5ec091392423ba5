// Korean strings of the online briefings (설명회).
export default {
  err_unknown_briefing: '없는 설명회입니다.',
  err_not_in_audience: '이 설명회는 다른 참가자를 위한 것입니다.',
};

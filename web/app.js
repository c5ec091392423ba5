/*
 * Sangdam (상담) — the browser client.
 *
 * Plain ES2020, no build step, no external resources. Served by the `sangdam` binary at
 * `/app.js`. Talks to the HTTP API of `server/API.md` and the signaling WebSocket of
 * `signaling/src/protocol.rs`.
 *
 * Routes live in the URL fragment (it never reaches the server):
 *   #token=<JWT>          invite link; the token moves to sessionStorage, the fragment is cleaned
 *   (empty)               the participant's home page, by role (buyer, vendor, moderator, staff)
 *   #room=<meetingId>     the video room of one meeting (buyer and vendor)
 *   #view=rooms           moderator / staff: live rooms (default for moderators)
 *   #view=schedule        moderator / staff: the whole schedule (default for staff)
 *   #view=log             moderator / staff: the consultation log, filters, CSV/XLSX downloads
 *   #view=report          moderator / staff: the fair's report (tables and bar charts)
 *   #survey=<meetingId>   buyer / vendor: the satisfaction survey after a meeting closed
 *
 * The lobby (`/ws/lobby`): buyers and vendors keep one lobby connection across pages. Vendors
 * check in (or walk in) and see their place and wait; buyers see their booth's queue and
 * admit or send back. An `admitted` room is entered at once (walk-in ids `w-...` are not in
 * /api/me: the room page takes everything from the signaling `joined` message).
 *
 * Test hooks: window.sangdam.pc(), window.sangdam.state() (with `lobby`), window.sangdam.lobby()
 * (the last lobby status message); <body data-page data-phase data-call data-lobby>, where
 * data-lobby is waiting | admitted | idle.
 */
'use strict';

(function () {
  // ------------------------------------------------------------------------------------
  // Strings. Korean first; every user-visible string lives here.
  // ------------------------------------------------------------------------------------
  const STR = {
    ko: {
      app_name: '상담',
      app_sub: '온라인 공공구매 상담회',
      doc_title: '상담 · 온라인 공공구매 상담회',
      skip: '본문으로 건너뛰기',
      lang_group: '언어 선택',
      sign_out: '로그아웃',
      sign_out_aria: '이 브라우저에서 초대 정보를 지우고 로그아웃',
      loading: '불러오는 중…',
      kst: '한국 시간',
      footer: '모든 시간은 한국 시간(KST) 기준입니다.',
      clock_aria: '현재 한국 시간 {time}',
      days: '{n}일',

      role_buyer: '구매 기관',
      role_vendor: '판매 기업',
      role_moderator: '운영자',
      role_staff: '지원센터 직원',

      phase_scheduled: '예정',
      'phase_check-in': '입장 가능',
      phase_live: '상담 중',
      phase_grace: '마무리',
      phase_closed: '종료',

      nav_label: '운영 메뉴',
      nav_rooms: '실시간 상담방',
      nav_schedule: '전체 일정',

      landing_title: '공공기관과 사회적경제기업을 잇는 1:1 화상 상담',
      landing_lead: '상담(Sangdam)은 서울시 사회적경제 공공구매 온라인 상담회를 위한 화상 상담 서비스입니다. 공공기관 구매 담당자와 사회적경제기업이 정해진 시간에 일대일로 만나 제품과 서비스를 소개하고, 공공시장 진출을 함께 이야기합니다.',
      landing_who: '누가 참여하나요',
      landing_buyer_t: '공공기관 (구매자)',
      landing_buyer: '본청, 자치구, 투자출연기관, 교육청과 학교 등 공공기관의 구매 담당자가 배정된 기업과 차례로 상담합니다.',
      landing_vendor_t: '사회적경제기업 (판매자)',
      landing_vendor: '(예비)사회적기업, 협동조합, 마을기업이 대기실에서 차례를 기다린 뒤 기관 담당자에게 제품과 서비스를 소개합니다.',
      landing_how: '이용 방법',
      landing_step1_t: '초대 링크 열기',
      landing_step1: '상담회 사무국이 보낸 개인 초대 링크를 여세요. 회원가입이나 프로그램 설치는 필요 없습니다.',
      landing_step2_t: '일정 확인',
      landing_step2: '내 상담 일정과 상대 기관·기업을 확인하세요. 모든 시간은 한국 시간으로 표시됩니다.',
      landing_step3_t: '입장하고 상담하기',
      landing_step3: '상담 시작 몇 분 전부터 상담방에 입장할 수 있고, 시작 시각이 되면 화상 상담이 자동으로 연결됩니다.',
      landing_need: '최신 Chrome, Edge, Safari 또는 Firefox 브라우저와 카메라·마이크가 필요합니다.',
      landing_noinvite: '초대 링크를 받지 못하셨다면 상담회 운영 사무국에 문의해 주세요.',
      landing_paste_label: '초대 링크 붙여넣기',
      landing_paste_ph: 'https://…/#token=…',
      landing_paste_btn: '열기',
      landing_paste_bad: '붙여 넣은 내용에서 초대 토큰을 찾을 수 없습니다.',

      error_title: '문제가 발생했습니다',
      error_code: '오류 코드',
      error_detail: '서버 메시지',
      retry: '다시 시도',
      use_other_link: '다른 초대 링크 사용',
      err_network: '서버에 연결할 수 없습니다. 인터넷 연결을 확인한 뒤 다시 시도해 주세요.',
      err_token_expired: '초대 링크가 만료되었습니다. 상담회 사무국에 새 링크를 요청해 주세요.',
      err_token_invalid: '초대 링크가 올바르지 않습니다. 받은 링크 전체를 다시 열어 주세요.',
      err_unknown_participant: '이 상담회에 등록되지 않은 참가자입니다.',
      err_token_wrong_meeting: '이 초대 링크는 다른 상담을 위한 링크입니다.',
      err_unknown_meeting: '존재하지 않는 상담입니다.',
      err_not_your_meeting: '다른 기관·기업의 상담입니다.',
      err_wrong_role: '이 역할로는 할 수 없는 작업입니다.',
      err_too_early: '아직 입장 시간이 아닙니다.',
      err_room_closed: '상담방이 이미 닫혔습니다.',
      err_not_live: '상대방이 없거나 상담 시간이 아니어서 전달되지 않았습니다.',
      err_replaced: '다른 창이나 기기에서 같은 초대 링크로 입장하여 이 창의 연결이 종료되었습니다.',
      err_bad_json: '서버가 메시지를 읽지 못했습니다.',
      err_unknown_type: '서버가 알 수 없는 메시지를 받았습니다.',
      err_bad_message: '서버가 잘못된 메시지를 받았습니다.',
      err_frame_too_large: '메시지가 너무 큽니다.',
      err_binary_frame: '지원하지 않는 메시지 형식입니다.',
      err_unsupported_version: '이 페이지가 오래된 버전입니다. 새로고침해 주세요.',
      err_not_joined: '상담방에 입장하기 전입니다.',
      err_already_joined: '이미 상담방에 입장했습니다.',
      err_internal: '서버 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.',
      err_webrtc: '화상 연결 중 오류가 발생했습니다.',
      err_temporarily_unavailable: '잠시 서버에 연결할 수 없어 아무것도 바뀌지 않았습니다. 다시 시도해 주세요.',
      err_busy: '요청이 몰려 처리하지 못했습니다. 다시 시도해 주세요.',
      err_no_walk_ins: '이 부스는 현장 대기를 받지 않습니다.',
      err_in_room: '지금 상담 중이어서 대기할 수 없습니다.',
      err_not_queued: '대기열에 없습니다. 대기 시간이 지났을 수 있습니다.',
      err_booth_busy: '이 부스의 상담방에 이미 다른 참가자가 있습니다.',
      err_nobody_waiting: '입장할 수 있는 대기자가 없습니다.',
      err_nobody_in_room: '부스 상담방에 아무도 없습니다.',
      err_bad_query: '검색 조건을 읽을 수 없습니다.',
      err_unknown_fair: '기록에 없는 상담회입니다.',
      err_survey_not_open: '상담방이 닫힌 뒤에 응답할 수 있습니다.',
      err_already_answered: '이미 응답하셨습니다. 감사합니다.',
      err_bad_answer: '응답을 확인해 주세요.',
      err_unknown: '알 수 없는 오류가 발생했습니다.',

      col_round: '회차',
      col_time: '시간',
      col_datetime: '일시',
      col_enterprise: '기업',
      col_institution: '기관',
      col_status: '상태',
      col_action: '입장',
      col_meeting: '상담',
      col_buyer: '기관 입장',
      col_vendor: '기업 입장',
      col_phase: '단계',
      col_remaining: '남은 시간',
      round_n: '{n}회차',
      slot_n: '{n}번째 상담',
      enter: '입장',
      enter_aria: '{name} 상담방 입장',
      enter_from: '{time}부터 입장할 수 있습니다 ({t} 후)',
      enter_closed: '종료된 상담입니다',
      st_until_checkin: '입장까지 {t}',
      st_until_start: '시작까지 {t}',
      st_until_end: '종료까지 {t}',
      st_grace: '마무리 {t}',
      st_closed: '종료됨',
      my_meetings: '내 상담 일정',
      my_meetings_caption: '배정된 상담 목록 (한국 시간)',
      no_meetings: '배정된 상담이 없습니다.',
      meeting_count: '상담 {n}건',
      next_meeting: '다음 상담',
      present: '입장함',
      absent: '입장 전',
      you_are: '{name} 님',

      wait_title: '다음 상담',
      wait_to_start: '상담 시작까지',
      wait_checkin_in: '입장까지 {t} · {time}부터 입장할 수 있습니다',
      wait_checkin_open: '지금 상담방에 입장할 수 있습니다. 입장하여 상담 시작을 기다려 주세요.',
      wait_live: '상담이 진행 중입니다. 지금 입장해 주세요.',
      wait_grace: '마무리 시간입니다. 아직 입장할 수 있습니다.',
      auto_enter: '입장 시간이 되면 자동으로 대기를 시작하고 차례가 되면 입장',
      no_next: '남은 상담이 없습니다. 참여해 주셔서 감사합니다.',
      progress_label: '대기 진행률',
      entering: '상담방으로 이동합니다…',

      mod_title: '실시간 상담방',
      mod_caption: '오늘의 상담방 (5초마다 갱신)',
      mod_updated: '{time} 기준 · 5초마다 갱신',
      mod_stale: '갱신 실패 ({code}): {msg}',
      mod_none: '지금 표시할 상담방이 없습니다.',
      sum_rooms: '상담방',
      sum_live: '진행 중',
      sum_both: '양측 입장',
      sum_missing: '한쪽 미입장',
      rem_to_start: '시작까지 {t}',
      rem_left: '{t} 남음',
      rem_grace: '마무리 {t}',

      staff_title: '전체 상담 일정',
      staff_caption: '상담 일정 (한국 시간)',
      filter_round: '회차',
      filter_all: '전체',
      filter_search: '검색',
      filter_search_ph: '기관·기업 이름, 유형, 상담 번호',
      cnt_meetings: '상담',
      cnt_institutions: '기관',
      cnt_enterprises: '기업',
      staff_none: '조건에 맞는 상담이 없습니다.',
      log_later: '상담 일지와 결과 보고서는 위의 탭에서 볼 수 있습니다.',
      nav_log: '상담 일지',
      nav_report: '결과 보고서',
      fair_label: '상담회',
      fair_current: '{name} (진행 중)',
      log_title: '상담 일지',
      log_caption: '상담 기록 (한국 시간)',
      log_shown: '{total}건 중 {shown}건 표시',
      log_none: '조건에 맞는 기록이 없습니다.',
      filter_date: '날짜',
      filter_itype: '기관 유형',
      filter_etype: '기업 유형',
      filter_outcome: '후속 결과',
      filter_noshow: '불참',
      noshow_yes: '불참한 상담만',
      noshow_no: '진행된 상담만',
      col_duration: '상담 시간',
      col_ending: '종료 사유',
      col_rating: '만족도',
      col_outcome: '후속 결과',
      col_date: '날짜',
      col_distinct: '기관·기업 수',
      col_share: '비율',
      col_participations: '회차별 참여',
      side_buyer_short: '기관',
      side_vendor_short: '기업',
      minutes: '{n}분',
      dl_csv: 'CSV 내려받기',
      dl_xlsx: 'Excel 내려받기',
      dl_failed: '내려받기에 실패했습니다: {msg}',
      ending_timer: '시간 종료',
      ending_left_early_buyer: '기관 조기 퇴장',
      ending_left_early_vendor: '기업 조기 퇴장',
      ending_participant: '참가자 종료',
      ending_moderator: '운영자 종료',
      ending_no_show_buyer: '불참(기관)',
      ending_no_show_vendor: '불참(기업)',
      ending_no_show_both: '불참(양측)',
      outcome_quote_requested: '견적 요청',
      outcome_sample_requested: '샘플 요청',
      outcome_contract_review: '계약 검토 중',
      outcome_none: '없음',
      outcome_unanswered: '응답 없음',
      report_title: '상담회 결과 보고서',
      rep_institutions: '참여 기관',
      rep_enterprises: '참여 기업',
      rep_consultations: '상담 건수',
      rep_no_shows: '불참',
      rep_avg: '평균 상담 시간',
      rep_basis: '기관·기업 수는 한 번 이상 상담에 참여한 서로 다른 기관·기업의 수입니다. 회차별 참여는 회차마다 따로 세어 기관 {ip}회, 기업 {ep}회입니다. 상담 건수는 양측이 모두 참석한 상담입니다.',
      rep_growth: '전년 대비',
      rep_growth_caption: '{name} 대비',
      rep_item: '항목',
      rep_prev: '이전',
      rep_cur: '이번',
      rep_vs_prev: '전년 대비',
      rep_rounds: '회차별 결과',
      rep_rounds_caption: '회차별 상담과 참여',
      rep_types: '유형별 참여',
      rep_type: '유형',
      rep_itypes_caption: '기관 유형별',
      rep_etypes_caption: '기업 유형별',
      rep_survey: '만족도 조사',
      rep_survey_buyer: '기관 응답 ({n}건)',
      rep_survey_vendor: '기업 응답 ({n}건)',
      rep_answer: '응답',
      rep_count: '건수',
      rep_rating: '평균 만족도 {avg} / 5',
      rep_followup: '후속 결과와 종료 사유',
      rep_outcomes_caption: '상담별 후속 결과 (응답한 상담 기준)',
      rep_endings_caption: '종료 사유',
      survey_title: '만족도 조사',
      survey_link: '만족도 조사',
      survey_intro: '{name}과(와)의 상담은 어떠셨나요? 응답은 상담회 운영을 개선하는 데 쓰입니다.',
      survey_rating: '이번 상담에 얼마나 만족하셨나요?',
      rating_5: '매우 만족',
      rating_4: '만족',
      rating_3: '보통',
      rating_2: '불만족',
      rating_1: '매우 불만족',
      survey_outcome: '상담 후 진행 상황',
      survey_comment: '의견 (선택)',
      survey_submit: '제출',
      survey_thanks: '응답해 주셔서 감사합니다.',
      survey_not_open: '상담방이 닫힌 뒤({time}) 응답할 수 있습니다.',
      survey_missing: '모든 문항에 답해 주세요.',
      survey_after: '상담은 어떠셨나요? 짧은 만족도 조사에 참여해 주세요.',

      room_label: '상담방',
      room_with: '상담 상대',
      room_to_start: '상담 시작까지',
      room_to_end: '남은 시간',
      room_grace: '마무리 시간',
      room_over: '상담 종료',
      room_connecting: '상담방에 연결하는 중…',
      room_wait_peer: '{name} 측의 입장을 기다리고 있습니다.',
      room_both_wait: '양측 모두 입장했습니다. {time}에 상담이 시작됩니다.',
      room_self_wait: '입장했습니다. {time}에 상담이 시작됩니다.',
      room_calling: '화상 연결 중…',
      room_connected: '연결되었습니다.',
      room_peer_left: '상대방이 나갔습니다. 다시 들어오면 자동으로 연결됩니다.',
      room_unstable: '연결이 불안정합니다. 다시 연결하는 중…',
      room_reconnecting: '서버와 연결이 끊겼습니다. 다시 연결하는 중…',
      room_you: '나',
      room_remote_wait: '상대방 영상을 기다리는 중',
      room_cam_off: '카메라 꺼짐',
      room_no_cam: '카메라 없음',
      mic: '마이크',
      cam: '카메라',
      mic_off_aria: '마이크 끄기',
      mic_on_aria: '마이크 켜기',
      cam_off_aria: '카메라 끄기',
      cam_on_aria: '카메라 켜기',
      state_on: '켜짐',
      state_off: '꺼짐',
      state_none: '없음',
      leave: '나가기',
      leave_aria: '상담방 나가기',
      unmute: '소리 켜기',
      room_closed_title: '상담이 종료되었습니다',
      closed_timer: '상담 시간이 끝났습니다.',
      closed_moderator: '운영자가 상담을 종료했습니다.',
      closed_participant: '참가자가 상담을 종료했습니다.',
      room_fatal_title: '상담방에 입장할 수 없습니다',
      back: '내 상담 목록으로',
      warn_min: '상담 종료 {n}분 전입니다.',
      warn_min1: '상담 종료 1분 전입니다.',
      warn_sec: '상담 종료 {n}초 전입니다.',
      media_none: '카메라와 마이크를 사용할 수 없어 보기·듣기만 가능합니다.',
      media_insecure: '카메라와 마이크는 https 주소에서만 사용할 수 있습니다.',
      media_denied: '카메라·마이크 권한이 거부되었습니다. 브라우저 주소창에서 권한을 허용한 뒤 다시 입장해 주세요.',
      media_partial: '카메라 또는 마이크 중 하나만 사용할 수 있습니다.',
      room_meta: '{round} · {theme} · {time}',
      no_show_peer: '{name} 측이 시작 시각 이후에도 입장하지 않아 불참으로 기록되었습니다. 상담방은 종료 시각까지 열려 있습니다.',
      no_show_self: '이 상담은 불참으로 기록되었습니다. 상담방은 종료 시각까지 열려 있습니다.',
      // The lobby (vendor waiting panel and buyer booth panel).
      lobby_title: '대기실',
      lobby_connecting: '대기실에 연결하는 중…',
      lobby_reconnecting: '대기실 연결이 끊겼습니다. 다시 연결하는 중… (대기 순서는 2분 동안 유지됩니다)',
      lobby_live: '실시간',
      lobby_offline: '연결 끊김',
      lobby_unavailable: '잠시 연결이 원활하지 않습니다… 대기 순서는 그대로이며 곧 다시 갱신됩니다.',
      lobby_fatal: '대기실을 사용할 수 없습니다: {msg}',
      lobby_places: '내 대기 현황',
      lobby_none: '지금 대기 중인 부스가 없습니다.',
      lobby_position: '대기 순번 {n} / {of}',
      lobby_eta: '예상 대기',
      lobby_eta_now: '곧 입장',
      lobby_booked: '예약 상담 {time}',
      lobby_walk_in: '워크인',
      lobby_place_off: '연결 끊김 — 2분 안에 돌아오면 순서가 유지됩니다',
      lobby_leave: '대기 취소',
      lobby_leave_aria: '{name} 대기 취소',
      lobby_offers: '대기를 시작할 수 있는 상담',
      lobby_checkin: '대기 시작',
      lobby_checkin_aria: '{name} 부스에서 대기 시작',
      lobby_walkin_title: '현장 대기 (워크인)',
      lobby_walkin_label: '부스',
      lobby_walkin_btn: '현장 대기 시작',
      lobby_walkin_hint: '예약이 없어도 기관 부스의 빈 시간에 상담할 수 있습니다.',
      lobby_waiting_here: '대기 중',
      lobby_turn: '입장할 차례입니다',
      lobby_time_left: '종료까지',
      lobby_enter_room: '상담방 입장',
      lobby_entering: '{name} 상담방으로 이동합니다…',
      lobby_turn_toast: '{name} 상담방에 입장할 차례입니다. 지금 상담을 마친 뒤 입장해 주세요.',
      lobby_sent_back: '기관 담당자가 대기열 맨 뒤로 돌려보냈습니다.',
      wait_in_lobby: '대기실에서 기다리는 중입니다. 상담 시작 시각이 되면 자동으로 입장합니다.',
      booth_title: '내 부스 대기실',
      booth_now: '지금 상담 중',
      booth_idle: '지금 상담방에 있는 기업이 없습니다.',
      booth_queue: '대기 중인 기업 {n}곳',
      booth_queue_empty: '대기 중인 기업이 없습니다.',
      booth_admit: '다음 기업 입장',
      booth_send_back: '대기열로 돌려보내기',
      booth_col_no: '순번',
      booth_col_name: '담당자',
      booth_col_booking: '예약',
      booth_col_since: '대기 시작',
      booth_col_conn: '연결',
      booth_waited: '{t} 대기',
      booth_caption: '내 부스에서 대기 중인 기업',
      booth_note: '이 페이지나 상담방을 열어 두는 동안 부스에 계신 것으로 표시되며, 예약한 기업은 상담 시작 시각에 자동으로 입장합니다.',
    },
    en: {
      app_name: 'Sangdam',
      app_sub: 'Online public-procurement consultation fair',
      doc_title: 'Sangdam · Online public-procurement consultations',
      skip: 'Skip to content',
      lang_group: 'Language',
      sign_out: 'Sign out',
      sign_out_aria: 'Forget the invite in this browser and sign out',
      loading: 'Loading…',
      kst: 'Korea time',
      footer: 'All times are Korea Standard Time (KST).',
      clock_aria: 'Current Korea time {time}',
      days: '{n}d',

      role_buyer: 'Buyer (institution)',
      role_vendor: 'Vendor (enterprise)',
      role_moderator: 'Moderator',
      role_staff: 'Support-centre staff',

      phase_scheduled: 'Scheduled',
      'phase_check-in': 'Check-in open',
      phase_live: 'Live',
      phase_grace: 'Wrapping up',
      phase_closed: 'Closed',

      nav_label: 'Operations',
      nav_rooms: 'Live rooms',
      nav_schedule: 'Schedule',

      landing_title: 'One-to-one video consultations between public institutions and social-economy enterprises',
      landing_lead: 'Sangdam (상담, “consultation”) runs the Seoul social-economy public-procurement online consultation fair. Procurement staff of public institutions meet social-economy enterprises one to one, by video, in scheduled time slots, to learn about their products and services and talk about entering the public market.',
      landing_who: 'Who takes part',
      landing_buyer_t: 'Public institutions (buyers)',
      landing_buyer: 'Procurement staff from city hall, district offices, city-funded bodies, the education office and schools meet their matched enterprises one after another.',
      landing_vendor_t: 'Social-economy enterprises (vendors)',
      landing_vendor: '(Pre-)certified social enterprises, cooperatives and village enterprises wait in a virtual lobby, then present their products and services to the institution.',
      landing_how: 'How it works',
      landing_step1_t: 'Open your invite link',
      landing_step1: 'Open the personal invite link the fair office sent you. No sign-up, nothing to install.',
      landing_step2_t: 'Check your schedule',
      landing_step2: 'See your meetings and who you will meet. All times are shown in Korea time.',
      landing_step3_t: 'Enter and talk',
      landing_step3: 'The room opens a few minutes before your slot; the video call connects when the slot starts.',
      landing_need: 'You need a recent Chrome, Edge, Safari or Firefox, and a camera and microphone.',
      landing_noinvite: 'No invite link? Please contact the fair office.',
      landing_paste_label: 'Paste your invite link',
      landing_paste_ph: 'https://…/#token=…',
      landing_paste_btn: 'Open',
      landing_paste_bad: 'No invite token found in what you pasted.',

      error_title: 'Something went wrong',
      error_code: 'Error code',
      error_detail: 'Server message',
      retry: 'Try again',
      use_other_link: 'Use another invite link',
      err_network: 'Cannot reach the server. Check your connection and try again.',
      err_token_expired: 'Your invite link has expired. Please ask the fair office for a new one.',
      err_token_invalid: 'This invite link is not valid. Please open the whole link you received again.',
      err_unknown_participant: 'This participant is not registered for this fair.',
      err_token_wrong_meeting: 'This invite link is for a different meeting.',
      err_unknown_meeting: 'There is no such meeting.',
      err_not_your_meeting: 'This meeting belongs to another organisation.',
      err_wrong_role: 'Your role cannot do this.',
      err_too_early: 'Check-in has not opened yet.',
      err_room_closed: 'This meeting room has already closed.',
      err_not_live: 'Not delivered: the other side is absent or the slot is not running.',
      err_replaced: 'You joined with the same invite from another window or device, so this one was disconnected.',
      err_bad_json: 'The server could not read a message.',
      err_unknown_type: 'The server received an unknown message.',
      err_bad_message: 'The server received a malformed message.',
      err_frame_too_large: 'A message was too large.',
      err_binary_frame: 'Unsupported message format.',
      err_unsupported_version: 'This page is out of date. Please reload it.',
      err_not_joined: 'Not in the room yet.',
      err_already_joined: 'Already in the room.',
      err_internal: 'The server had a problem. Please try again shortly.',
      err_webrtc: 'The video connection had a problem.',
      err_temporarily_unavailable: 'The server could not reach its store; nothing changed. Please try again.',
      err_busy: 'Too many changes at once; nothing changed. Please try again.',
      err_no_walk_ins: 'This booth does not take walk-ins.',
      err_in_room: 'You are in a meeting now and cannot queue.',
      err_not_queued: 'You are not in this queue (the waiting time may have run out).',
      err_booth_busy: 'Someone is already in this booth’s room.',
      err_nobody_waiting: 'Nobody is waiting who can be let in.',
      err_nobody_in_room: 'Nobody is in the booth’s room.',
      err_bad_query: 'The search could not be read.',
      err_unknown_fair: 'There is no such fair on record.',
      err_survey_not_open: 'You can answer once the room has closed.',
      err_already_answered: 'You have already answered. Thank you.',
      err_bad_answer: 'Please check your answers.',
      err_unknown: 'An unknown error occurred.',

      col_round: 'Round',
      col_time: 'Time',
      col_datetime: 'Date & time',
      col_enterprise: 'Enterprise',
      col_institution: 'Institution',
      col_status: 'Status',
      col_action: 'Room',
      col_meeting: 'Meeting',
      col_buyer: 'Institution in',
      col_vendor: 'Enterprise in',
      col_phase: 'Phase',
      col_remaining: 'Remaining',
      round_n: 'Round {n}',
      slot_n: 'Meeting {n}',
      enter: 'Enter room',
      enter_aria: 'Enter the room with {name}',
      enter_from: 'You can enter from {time} (in {t})',
      enter_closed: 'This meeting has ended',
      st_until_checkin: 'Check-in in {t}',
      st_until_start: 'Starts in {t}',
      st_until_end: 'Ends in {t}',
      st_grace: 'Wrapping up {t}',
      st_closed: 'Ended',
      my_meetings: 'My meetings',
      my_meetings_caption: 'Your meetings (Korea time)',
      no_meetings: 'You have no meetings.',
      meeting_count: '{n} meetings',
      next_meeting: 'Next meeting',
      present: 'In the room',
      absent: 'Not yet in',
      you_are: '{name}',

      wait_title: 'Your next consultation',
      wait_to_start: 'Consultation starts in',
      wait_checkin_in: 'Check-in in {t} · you can enter from {time}',
      wait_checkin_open: 'Check-in is open. Enter the room and wait there for the start.',
      wait_live: 'The consultation is running. Please enter now.',
      wait_grace: 'The meeting is wrapping up; you can still enter.',
      auto_enter: 'Check in automatically when check-in opens, and enter when it is my turn',
      no_next: 'No more meetings. Thank you for taking part.',
      progress_label: 'Waiting progress',
      entering: 'Entering the room…',

      mod_title: 'Live rooms',
      mod_caption: 'Today’s rooms (refreshed every 5 seconds)',
      mod_updated: 'As of {time} · refreshed every 5 s',
      mod_stale: 'Refresh failed ({code}): {msg}',
      mod_none: 'No rooms to show right now.',
      sum_rooms: 'Rooms',
      sum_live: 'Live',
      sum_both: 'Both present',
      sum_missing: 'One side missing',
      rem_to_start: 'Starts in {t}',
      rem_left: '{t} left',
      rem_grace: 'Wrap-up {t}',

      staff_title: 'Fair schedule',
      staff_caption: 'Meetings (Korea time)',
      filter_round: 'Round',
      filter_all: 'All',
      filter_search: 'Search',
      filter_search_ph: 'Institution or enterprise name, type, meeting id',
      cnt_meetings: 'Meetings',
      cnt_institutions: 'Institutions',
      cnt_enterprises: 'Enterprises',
      staff_none: 'No meetings match.',
      log_later: 'The consultation log and the fair report are in the tabs above.',
      nav_log: 'Consultation log',
      nav_report: 'Report',
      fair_label: 'Fair',
      fair_current: '{name} (current)',
      log_title: 'Consultation log',
      log_caption: 'Consultation records (Korea time)',
      log_shown: 'Showing {shown} of {total}',
      log_none: 'No records match.',
      filter_date: 'Date',
      filter_itype: 'Institution type',
      filter_etype: 'Enterprise type',
      filter_outcome: 'Follow-up',
      filter_noshow: 'No-show',
      noshow_yes: 'No-shows only',
      noshow_no: 'Held meetings only',
      col_duration: 'Duration',
      col_ending: 'Ending',
      col_rating: 'Rating',
      col_outcome: 'Follow-up',
      col_date: 'Date',
      col_distinct: 'Organisations',
      col_share: 'Share',
      col_participations: 'Round participations',
      side_buyer_short: 'Inst.',
      side_vendor_short: 'Ent.',
      minutes: '{n} min',
      dl_csv: 'Download CSV',
      dl_xlsx: 'Download Excel',
      dl_failed: 'Download failed: {msg}',
      ending_timer: 'Ended on time',
      ending_left_early_buyer: 'Institution left early',
      ending_left_early_vendor: 'Enterprise left early',
      ending_participant: 'Ended by a participant',
      ending_moderator: 'Ended by a moderator',
      ending_no_show_buyer: 'No-show (institution)',
      ending_no_show_vendor: 'No-show (enterprise)',
      ending_no_show_both: 'No-show (both)',
      outcome_quote_requested: 'Quote requested',
      outcome_sample_requested: 'Sample requested',
      outcome_contract_review: 'Contract under review',
      outcome_none: 'None',
      outcome_unanswered: 'Not answered',
      report_title: 'Fair report',
      rep_institutions: 'Institutions',
      rep_enterprises: 'Enterprises',
      rep_consultations: 'Consultations',
      rep_no_shows: 'No-shows',
      rep_avg: 'Average length',
      rep_basis: 'Institutions and enterprises count distinct organisations that came to at least one meeting. Round participations count each round separately: {ip} for institutions, {ep} for enterprises. Consultations are meetings both sides attended.',
      rep_growth: 'Against the previous fair',
      rep_growth_caption: 'Against {name}',
      rep_item: 'Figure',
      rep_prev: 'Previous',
      rep_cur: 'This fair',
      rep_vs_prev: 'Of previous',
      rep_rounds: 'By round',
      rep_rounds_caption: 'Consultations and participation per round',
      rep_types: 'By organisation type',
      rep_type: 'Type',
      rep_itypes_caption: 'Institution types',
      rep_etypes_caption: 'Enterprise types',
      rep_survey: 'Satisfaction survey',
      rep_survey_buyer: 'Institutions ({n} answers)',
      rep_survey_vendor: 'Enterprises ({n} answers)',
      rep_answer: 'Answer',
      rep_count: 'Count',
      rep_rating: 'Average rating {avg} / 5',
      rep_followup: 'Follow-up and endings',
      rep_outcomes_caption: 'Follow-up per consultation (answered ones)',
      rep_endings_caption: 'How meetings ended',
      survey_title: 'Satisfaction survey',
      survey_link: 'Survey',
      survey_intro: 'How was your meeting with {name}? Your answers help improve the fair.',
      survey_rating: 'How satisfied were you with this meeting?',
      rating_5: 'Very satisfied',
      rating_4: 'Satisfied',
      rating_3: 'Neutral',
      rating_2: 'Dissatisfied',
      rating_1: 'Very dissatisfied',
      survey_outcome: 'What followed',
      survey_comment: 'Comments (optional)',
      survey_submit: 'Submit',
      survey_thanks: 'Thank you for your answers.',
      survey_not_open: 'You can answer once the room has closed ({time}).',
      survey_missing: 'Please answer every question.',
      survey_after: 'How was it? Please take a short satisfaction survey.',

      room_label: 'Meeting room',
      room_with: 'Meeting with',
      room_to_start: 'Starts in',
      room_to_end: 'Time left',
      room_grace: 'Wrap-up time',
      room_over: 'Ended',
      room_connecting: 'Connecting to the room…',
      room_wait_peer: 'Waiting for {name} to join.',
      room_both_wait: 'Both sides are here. The consultation starts at {time}.',
      room_self_wait: 'You are in. The consultation starts at {time}.',
      room_calling: 'Connecting the video call…',
      room_connected: 'Connected.',
      room_peer_left: 'The other side left. The call reconnects when they come back.',
      room_unstable: 'The connection is unstable. Reconnecting…',
      room_reconnecting: 'Lost the connection to the server. Reconnecting…',
      room_you: 'You',
      room_remote_wait: 'Waiting for the other side’s video',
      room_cam_off: 'Camera off',
      room_no_cam: 'No camera',
      mic: 'Microphone',
      cam: 'Camera',
      mic_off_aria: 'Turn microphone off',
      mic_on_aria: 'Turn microphone on',
      cam_off_aria: 'Turn camera off',
      cam_on_aria: 'Turn camera on',
      state_on: 'on',
      state_off: 'off',
      state_none: 'none',
      leave: 'Leave',
      leave_aria: 'Leave the meeting room',
      unmute: 'Turn sound on',
      room_closed_title: 'The consultation has ended',
      closed_timer: 'The time slot is over.',
      closed_moderator: 'A moderator ended the meeting.',
      closed_participant: 'A participant ended the meeting.',
      room_fatal_title: 'Cannot enter the meeting room',
      back: 'Back to my meetings',
      warn_min: '{n} minutes left in this consultation.',
      warn_min1: '1 minute left in this consultation.',
      warn_sec: '{n} seconds left in this consultation.',
      media_none: 'No camera or microphone available: you can watch and listen only.',
      media_insecure: 'Camera and microphone only work on an https address.',
      media_denied: 'Camera and microphone permission was denied. Allow it in the address bar, then enter again.',
      media_partial: 'Only one of camera and microphone is available.',
      room_meta: '{round} · {theme} · {time}',
      no_show_peer: '{name} has not joined since the start and is recorded as a no-show. The room stays open until the end of the slot.',
      no_show_self: 'This meeting is recorded as a no-show. The room stays open until the end of the slot.',
      // The lobby (vendor waiting panel and buyer booth panel).
      lobby_title: 'Lobby',
      lobby_connecting: 'Connecting to the lobby…',
      lobby_reconnecting: 'Lost the lobby connection. Reconnecting… (your places are kept for 2 minutes)',
      lobby_live: 'Live',
      lobby_offline: 'Offline',
      lobby_unavailable: 'The connection is not smooth right now… your places are kept and updates resume shortly.',
      lobby_fatal: 'The lobby is not available: {msg}',
      lobby_places: 'Where I am waiting',
      lobby_none: 'You are not waiting at any booth.',
      lobby_position: 'Place {n} of {of}',
      lobby_eta: 'Estimated wait',
      lobby_eta_now: 'Any moment now',
      lobby_booked: 'Booked {time}',
      lobby_walk_in: 'Walk-in',
      lobby_place_off: 'Disconnected — come back within 2 minutes to keep your place',
      lobby_leave: 'Leave queue',
      lobby_leave_aria: 'Leave the queue at {name}',
      lobby_offers: 'Meetings open for check-in',
      lobby_checkin: 'Check in',
      lobby_checkin_aria: 'Check in at {name}',
      lobby_walkin_title: 'Walk in at a booth',
      lobby_walkin_label: 'Booth',
      lobby_walkin_btn: 'Walk in',
      lobby_walkin_hint: 'No booking needed: booths take walk-ins in their free time.',
      lobby_waiting_here: 'Waiting',
      lobby_turn: 'It is your turn',
      lobby_time_left: 'Time left',
      lobby_enter_room: 'Enter the room',
      lobby_entering: 'Entering the room with {name}…',
      lobby_turn_toast: 'It is your turn in the room with {name}. Please go there when this meeting is over.',
      lobby_sent_back: 'The institution sent you back to the end of the queue.',
      wait_in_lobby: 'You are waiting in the lobby. You enter the room automatically when the consultation starts.',
      booth_title: 'My booth',
      booth_now: 'In the room now',
      booth_idle: 'No enterprise is in the room.',
      booth_queue: 'Waiting: {n}',
      booth_queue_empty: 'Nobody is waiting.',
      booth_admit: 'Admit next',
      booth_send_back: 'Send back',
      booth_col_no: '#',
      booth_col_name: 'Name',
      booth_col_booking: 'Booking',
      booth_col_since: 'Waiting since',
      booth_col_conn: 'Online',
      booth_waited: 'waiting {t}',
      booth_caption: 'Enterprises waiting at my booth',
      booth_note: 'While this page or a room is open you are at your booth: booked enterprises are let in when their slot starts.',
    },
  };

  /** English names of the organisation types (Korean comes from the server's kind_label). */
  const KIND_EN = {
    city_hall: 'City hall',
    district: 'District office',
    city_funded: 'City-funded body',
    education: 'Education office / school',
    social_enterprise: '(Pre-)certified social enterprise',
    cooperative: '(Social) cooperative',
    village_enterprise: 'Village enterprise',
    other: 'Other',
  };

  const PHASES = ['scheduled', 'check-in', 'live', 'grace', 'closed'];
  const RANK = Object.fromEntries(PHASES.map((p, i) => [p, i]));
  const OPEN_PHASES = new Set(['check-in', 'live', 'grace']);

  const LS_LANG = 'sangdam.lang';
  const LS_AUTO = 'sangdam.autoEnter';
  const SS_TOKEN = 'sangdam.token';
  const SS_LEFT = 'sangdam.leftRooms';

  // ------------------------------------------------------------------------------------
  // Global state.
  // ------------------------------------------------------------------------------------
  const S = {
    lang: 'ko',
    token: null,
    me: null,
    offset: 0, // server_time − Date.now(), in ms
    page: null, // {name, mount, relabel?, destroy?}
    tickers: [],
    room: null, // the room session's state, while on the room page
    lastError: null,
  };

  // ------------------------------------------------------------------------------------
  // Small helpers.
  // ------------------------------------------------------------------------------------
  function store(kind, key, value) {
    try {
      const s = kind === 'local' ? window.localStorage : window.sessionStorage;
      if (value === undefined) return s.getItem(key);
      if (value === null) s.removeItem(key);
      else s.setItem(key, value);
    } catch (_) {
      /* storage may be disabled; the app still works for this page load */
    }
    return null;
  }

  function t(key, vars) {
    let s = STR[S.lang][key];
    if (s === undefined) s = STR.ko[key];
    if (s === undefined) return key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
    return s;
  }

  function errText(code) {
    const k = 'err_' + code;
    return STR[S.lang][k] !== undefined ? t(k) : t('err_unknown');
  }

  /** h('div', {class: 'x', onclick: f}, child, 'text', [more]) */
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'value') el.value = v;
        else if (k === 'checked') el.checked = !!v;
        else if (k === 'disabled') el.disabled = !!v;
        else if (k === 'hidden') el.hidden = !!v;
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
      }
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function setAttr(el, name, value) {
    if (!el) return;
    if (value === null || value === undefined) {
      if (el.hasAttribute(name)) el.removeAttribute(name);
    } else if (el.getAttribute(name) !== String(value)) el.setAttribute(name, String(value));
  }

  function kindLabel(org) {
    if (!org) return '';
    if (S.lang === 'en') return KIND_EN[org.kind] || org.kind_label || org.kind || '';
    return org.kind_label || KIND_EN[org.kind] || org.kind || '';
  }

  function orgCell(org) {
    if (!org) return '';
    return [h('span', { class: 'org-name' }, org.name), ' ', h('span', { class: 'tag kind-' + org.kind }, kindLabel(org))];
  }

  function phaseBadge(phase) {
    return h('span', { class: 'badge phase-' + phase, dataset: { phase } }, t('phase_' + phase));
  }

  function updateBadge(el, phase) {
    if (!el) return;
    if (el.dataset.phase !== phase) {
      el.dataset.phase = phase;
      el.className = 'badge phase-' + phase;
    }
    setText(el, t('phase_' + phase));
  }

  // ------------------------------------------------------------------------------------
  // Server clock. Every countdown is based on serverNow(), so every screen agrees.
  // ------------------------------------------------------------------------------------
  function serverNow() {
    return Date.now() + S.offset;
  }

  /** Notes a server_time. With the request's send and receive instants, the midpoint. */
  function noteServerTime(serverTime, sentAt, receivedAt) {
    if (typeof serverTime !== 'number' || !isFinite(serverTime)) return;
    const local = sentAt !== undefined && receivedAt !== undefined ? (sentAt + receivedAt) / 2 : Date.now();
    S.offset = serverTime - local;
  }

  const fmtCache = {};
  function fmt(kind) {
    const key = S.lang + ':' + kind;
    if (!fmtCache[key]) {
      const loc = S.lang === 'ko' ? 'ko-KR' : 'en-GB';
      const base = { timeZone: 'Asia/Seoul' };
      const opts = {
        time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
        clock: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
        date: { month: 'short', day: 'numeric', weekday: 'short' },
        ymd: { year: 'numeric', month: '2-digit', day: '2-digit' },
      }[kind];
      fmtCache[key] = new Intl.DateTimeFormat(loc, Object.assign(base, opts));
    }
    return fmtCache[key];
  }
  const fmtTime = (ms) => fmt('time').format(new Date(ms));
  const fmtClock = (ms) => fmt('clock').format(new Date(ms));
  const fmtDate = (ms) => fmt('date').format(new Date(ms));
  const seoulDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul' }).format(new Date(ms));
  const isToday = (ms) => seoulDay(ms) === seoulDay(serverNow());

  function fmtRange(m, withDate) {
    const range = fmtTime(m.starts_at) + '–' + fmtTime(m.ends_at);
    return withDate || !isToday(m.starts_at) ? fmtDate(m.starts_at) + ' ' + range : range;
  }

  /** A countdown: mm:ss, h:mm:ss past an hour, with days past a day. */
  function fmtDur(ms) {
    let s = Math.max(0, Math.ceil(ms / 1000));
    const d = Math.floor(s / 86400);
    s %= 86400;
    const hh = Math.floor(s / 3600);
    s %= 3600;
    const mm = Math.floor(s / 60);
    const ss = s % 60;
    const p2 = (n) => String(n).padStart(2, '0');
    if (d > 0) return t('days', { n: d }) + ' ' + `${p2(hh)}:${p2(mm)}:${p2(ss)}`;
    if (hh > 0) return `${hh}:${p2(mm)}:${p2(ss)}`;
    return `${p2(mm)}:${p2(ss)}`;
  }

  /** The phase the clock gives; each boundary belongs to the phase it starts. */
  function phaseAt(w, now) {
    if (now < w.checkin_opens_at) return 'scheduled';
    if (now < w.starts_at) return 'check-in';
    if (now < w.ends_at) return 'live';
    if (now < w.closes_at) return 'grace';
    return 'closed';
  }

  /** A meeting's phase now: the later of the server's snapshot and the clock's answer. */
  function effPhase(m) {
    const snap = RANK[m.phase] !== undefined ? m.phase : 'scheduled';
    if (!m.window) return snap;
    const local = phaseAt(m.window, serverNow());
    return RANK[snap] > RANK[local] ? snap : local;
  }

  /** Short status text with a countdown for a meeting in a phase. */
  function statusText(m, phase) {
    const now = serverNow();
    const w = m.window || { checkin_opens_at: m.starts_at, starts_at: m.starts_at, ends_at: m.ends_at, closes_at: m.ends_at };
    switch (phase) {
      case 'scheduled': return t('st_until_checkin', { t: fmtDur(w.checkin_opens_at - now) });
      case 'check-in': return t('st_until_start', { t: fmtDur(w.starts_at - now) });
      case 'live': return t('st_until_end', { t: fmtDur(w.ends_at - now) });
      case 'grace': return t('st_grace', { t: fmtDur(w.closes_at - now) });
      default: return t('st_closed');
    }
  }

  // ------------------------------------------------------------------------------------
  // HTTP API.
  // ------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(code, message, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
  }

  async function api(path) {
    const sentAt = Date.now();
    let res;
    try {
      res = await fetch(path, {
        headers: { Authorization: 'Bearer ' + S.token, Accept: 'application/json' },
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError('network', String((e && e.message) || e), 0);
    }
    const receivedAt = Date.now();
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (!res.ok) {
      const e = (body && body.error) || {};
      throw new ApiError(e.code || 'http_' + res.status, e.message || res.statusText || '', res.status);
    }
    if (body && typeof body.server_time === 'number') noteServerTime(body.server_time, sentAt, receivedAt);
    return body;
  }

  // ------------------------------------------------------------------------------------
  // Toasts (transient, non-fatal messages).
  // ------------------------------------------------------------------------------------
  function toast(text, kind) {
    const box = document.getElementById('toasts');
    if (!box) return;
    const el = h('div', { class: 'toast ' + (kind || 'info'), role: kind === 'error' ? 'alert' : 'status' }, text);
    box.append(el);
    setTimeout(() => el.classList.add('leaving'), 5500);
    setTimeout(() => el.remove(), 6000);
  }

  // ------------------------------------------------------------------------------------
  // Header: fair name, participant, clock, language switch.
  // ------------------------------------------------------------------------------------
  function renderHeader() {
    setText(document.getElementById('brand-name'), t('app_name'));
    const fair = document.getElementById('fair-name');
    setText(fair, S.me && S.me.fair ? S.me.fair.name : t('app_sub'));
    const who = document.getElementById('who');
    if (who) {
      who.replaceChildren();
      if (S.me && S.me.participant) {
        const p = S.me.participant;
        who.append(h('span', { class: 'who-name' }, p.name), h('span', { class: 'who-role' }, t('role_' + p.role)));
        if (S.me.organisation) who.append(h('span', { class: 'who-org' }, S.me.organisation.name));
        who.hidden = false;
      } else who.hidden = true;
    }
    const out = document.getElementById('sign-out');
    if (out) {
      out.hidden = !S.token;
      setText(out, t('sign_out'));
      setAttr(out, 'aria-label', t('sign_out_aria'));
    }
    const group = document.getElementById('lang-switch');
    if (group) setAttr(group, 'aria-label', t('lang_group'));
    for (const b of document.querySelectorAll('[data-lang]')) setAttr(b, 'aria-pressed', b.dataset.lang === S.lang ? 'true' : 'false');
    setText(document.getElementById('skip-link'), t('skip'));
    setText(document.getElementById('footer-note'), t('footer'));
    document.title = S.me && S.me.fair ? S.me.fair.name + ' · ' + t('app_name') : t('doc_title');
  }

  function tickClock() {
    const el = document.getElementById('clock');
    if (!el) return;
    const now = serverNow();
    setText(el.querySelector('.clock-time'), fmtClock(now));
    setText(el.querySelector('.clock-zone'), 'KST');
    setAttr(el, 'title', t('kst'));
  }

  function setLang(lang) {
    if (!STR[lang]) return;
    S.lang = lang;
    store('local', LS_LANG, lang);
    document.documentElement.lang = lang;
    renderHeader();
    tickClock();
    if (S.page) {
      if (S.page.relabel) S.page.relabel();
      else remount();
    }
  }

  // ------------------------------------------------------------------------------------
  // Pages and routing.
  // ------------------------------------------------------------------------------------
  function mainEl() {
    return document.getElementById('main');
  }

  function show(page) {
    if (S.page && S.page.destroy) S.page.destroy();
    S.page = page;
    S.tickers = [];
    const body = document.body;
    body.dataset.page = page.name;
    if (page.name !== 'room') {
      delete body.dataset.phase;
      delete body.dataset.call;
    }
    delete body.dataset.error;
    mainEl().replaceChildren();
    page.mount(mainEl());
    tick();
  }

  function remount() {
    if (!S.page) return;
    S.tickers = [];
    mainEl().replaceChildren();
    S.page.mount(mainEl());
    tick();
  }

  function hashParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ''));
  }

  function go(hash) {
    if (location.hash.replace(/^#/, '') === hash) route();
    else location.hash = hash;
  }

  /** Moves an invite token from the fragment into sessionStorage, and out of the address bar. */
  function takeTokenFromHash() {
    const p = hashParams();
    const token = p.get('token');
    if (!token) return false;
    p.delete('token');
    S.token = token.trim();
    S.me = null;
    store('session', SS_TOKEN, S.token);
    const rest = p.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    return true;
  }

  let loadingMe = null;
  async function route() {
    takeTokenFromHash();
    if (!S.token) {
      S.me = null;
      renderHeader();
      return show(landingPage());
    }
    if (!S.me) {
      if (!loadingMe) {
        show(loadingPage());
        loadingMe = api('/api/me')
          .then((me) => {
            S.me = me;
          })
          .finally(() => {
            loadingMe = null;
          });
      }
      try {
        await loadingMe;
      } catch (e) {
        renderHeader();
        return show(errorPage(e));
      }
      renderHeader();
    }
    lobbyEnsure();
    const p = hashParams();
    const role = S.me.participant.role;
    const room = p.get('room');
    if (room && (role === 'buyer' || role === 'vendor')) return show(withBoothPanel(roomPage(room)));
    const survey = p.get('survey');
    if (survey && (role === 'buyer' || role === 'vendor')) return show(surveyPage(survey));
    if (role === 'buyer') return show(buyerPage());
    if (role === 'vendor') return show(vendorPage());
    let view = p.get('view');
    if (view === 'log') return show(logPage());
    if (view === 'report') return show(reportPage());
    if (view !== 'rooms' && view !== 'schedule') view = role === 'staff' ? 'schedule' : 'rooms';
    return show(view === 'rooms' ? moderatorPage() : staffPage());
  }

  function signOut() {
    if (S.page && S.page.destroy) S.page.destroy();
    S.page = null;
    lobbyStop(true);
    S.token = null;
    S.me = null;
    store('session', SS_TOKEN, null);
    store('session', SS_LEFT, null);
    history.replaceState(null, '', location.pathname + location.search);
    route();
  }

  // --- the ticker: one timer drives every countdown on the page -----------------------
  function tick() {
    tickClock();
    for (const f of S.tickers) {
      try {
        f(serverNow());
      } catch (e) {
        console.error(e);
      }
    }
  }

  // ------------------------------------------------------------------------------------
  // Landing, loading and error pages.
  // ------------------------------------------------------------------------------------
  function loadingPage() {
    return {
      name: 'loading',
      mount(root) {
        root.append(h('p', { class: 'loading', role: 'status' }, t('loading')));
      },
    };
  }

  function landingPage() {
    return {
      name: 'landing',
      mount(root) {
        const input = h('input', {
          id: 'invite-input',
          type: 'url',
          inputmode: 'url',
          autocomplete: 'off',
          spellcheck: 'false',
          placeholder: t('landing_paste_ph'),
          'aria-describedby': 'invite-hint',
        });
        const hint = h('p', { id: 'invite-hint', class: 'hint', role: 'status' });
        const form = h(
          'form',
          {
            class: 'paste',
            onsubmit(ev) {
              ev.preventDefault();
              const v = input.value.trim();
              const m = v.match(/token=([A-Za-z0-9._~-]+)/) || v.match(/^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/);
              if (!m) {
                setText(hint, t('landing_paste_bad'));
                return;
              }
              go('token=' + m[1]);
            },
          },
          h('label', { for: 'invite-input' }, t('landing_paste_label')),
          h('div', { class: 'paste-row' }, input, h('button', { type: 'submit', class: 'btn primary' }, t('landing_paste_btn'))),
          hint,
        );
        const step = (n) =>
          h('li', { class: 'step' }, h('span', { class: 'step-n', 'aria-hidden': 'true' }, String(n)), h('div', null, h('h3', null, t(`landing_step${n}_t`)), h('p', null, t(`landing_step${n}`))));
        root.append(
          h(
            'section',
            { class: 'hero', 'aria-labelledby': 'landing-title' },
            h('p', { class: 'eyebrow' }, t('app_sub')),
            h('h1', { id: 'landing-title' }, t('landing_title')),
            h('p', { class: 'lead' }, t('landing_lead')),
          ),
          h(
            'section',
            { class: 'cards two', 'aria-label': t('landing_who') },
            h('article', { class: 'card' }, h('h2', null, t('landing_buyer_t')), h('p', null, t('landing_buyer'))),
            h('article', { class: 'card' }, h('h2', null, t('landing_vendor_t')), h('p', null, t('landing_vendor'))),
          ),
          h('section', { class: 'card', 'aria-labelledby': 'how-title' }, h('h2', { id: 'how-title' }, t('landing_how')), h('ol', { class: 'steps' }, step(1), step(2), step(3)), h('p', { class: 'muted' }, t('landing_need'))),
          h('section', { class: 'card' }, form, h('p', { class: 'muted' }, t('landing_noinvite'))),
        );
      },
    };
  }

  function errorPage(e) {
    const code = (e && e.code) || 'unknown';
    const message = (e && e.message) || '';
    S.lastError = { code, message, fatal: true };
    return {
      name: 'error',
      mount(root) {
        document.body.dataset.error = code;
        const tokenProblem = ['token_invalid', 'token_expired', 'unknown_participant', 'token_wrong_meeting'].includes(code);
        root.append(
          h(
            'section',
            { class: 'card error-card', role: 'alert', 'aria-labelledby': 'err-title' },
            h('h1', { id: 'err-title' }, t('error_title')),
            h('p', { class: 'error-main' }, errText(code)),
            h('p', { class: 'error-code' }, t('error_code') + ': ', h('code', null, code)),
            message ? h('p', { class: 'error-detail muted' }, t('error_detail') + ': ' + message) : null,
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', class: 'btn primary', onclick: () => route() }, t('retry')),
              tokenProblem ? h('button', { type: 'button', class: 'btn', onclick: signOut }, t('use_other_link')) : null,
            ),
          ),
        );
      },
    };
  }

  // ------------------------------------------------------------------------------------
  // Buyer and vendor pages.
  // ------------------------------------------------------------------------------------
  /** A set of ids kept in sessionStorage under `key` (this tab, this browser session). */
  function sessionSet(key) {
    return {
      get() {
        try {
          return new Set(JSON.parse(store('session', key) || '[]'));
        } catch (_) {
          return new Set();
        }
      },
      add(id) {
        const s = this.get();
        s.add(id);
        store('session', key, JSON.stringify([...s]));
      },
      remove(id) {
        const s = this.get();
        if (s.delete(id)) store('session', key, JSON.stringify([...s]));
      },
      has(id) {
        return this.get().has(id);
      },
    };
  }

  /** Rooms the participant left on purpose: not entered again automatically. */
  const leftRooms = sessionSet(SS_LEFT);

  function enterRoom(id) {
    go('room=' + encodeURIComponent(id));
  }

  /** A participant's meetings as a table; `side` decides which organisation is the other. */
  function meetingTable(meetings, side) {
    const otherKey = side === 'buyer' ? 'enterprise' : 'institution';
    const rows = meetings.map((m) => {
      const badge = phaseBadge(effPhase(m));
      const cd = h('span', { class: 'countdown' });
      const btn = h('button', { type: 'button', class: 'btn primary small', 'aria-label': t('enter_aria', { name: m[otherKey].name }), onclick: () => enterRoom(m.id) }, t('enter'));
      const wrap = h('span', { class: 'btn-wrap' }, btn);
      const sv = h('button', { type: 'button', class: 'btn small survey-link', hidden: true, onclick: () => go('survey=' + encodeURIComponent(m.id)) }, t('survey_link'));
      const tr = h(
        'tr',
        { dataset: { meeting: m.id } },
        h('td', null, h('span', { class: 'round' }, t('round_n', { n: m.round })), h('span', { class: 'sub' }, m.theme)),
        h('td', { class: 'nowrap' }, fmtRange(m)),
        h('td', null, orgCell(m[otherKey])),
        h('td', null, badge, ' ', cd),
        h('td', null, wrap, ' ', sv),
      );
      S.tickers.push(() => {
        const ph = effPhase(m);
        updateBadge(badge, ph);
        setText(cd, ph === 'closed' ? '' : statusText(m, ph));
        const open = OPEN_PHASES.has(ph);
        btn.disabled = !open;
        let tip = null;
        if (ph === 'scheduled') tip = t('enter_from', { time: fmtTime(m.window.checkin_opens_at), t: fmtDur(m.window.checkin_opens_at - serverNow()) });
        else if (ph === 'closed') tip = t('enter_closed');
        setAttr(wrap, 'title', tip);
        setAttr(btn, 'title', tip);
        tr.classList.toggle('is-open', open);
        tr.classList.toggle('is-closed', ph === 'closed');
        sv.hidden = ph !== 'closed';
      });
      return tr;
    });
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data' },
        h('caption', { class: 'sr-only' }, t('my_meetings_caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('col_round')),
            h('th', { scope: 'col' }, t('col_time')),
            h('th', { scope: 'col' }, t(side === 'buyer' ? 'col_enterprise' : 'col_institution')),
            h('th', { scope: 'col' }, t('col_status')),
            h('th', { scope: 'col' }, t('col_action')),
          ),
        ),
        h('tbody', null, rows),
      ),
    );
  }

  function orgHeader(extra) {
    const me = S.me;
    const org = me.organisation;
    return h(
      'section',
      { class: 'org-card', 'aria-labelledby': 'org-title' },
      h(
        'div',
        null,
        h('p', { class: 'eyebrow' }, t('role_' + me.participant.role)),
        h('h1', { id: 'org-title' }, org ? org.name : me.participant.name),
        h('p', { class: 'muted' }, org ? [h('span', { class: 'tag kind-' + org.kind }, kindLabel(org)), ' · '] : null, t('you_are', { name: me.participant.name })),
      ),
      extra || null,
    );
  }

  /** Keeps /api/me fresh (phases change, rooms end early) while on a home page. */
  function refreshMe(page, everyMs) {
    page.timer = setInterval(async () => {
      try {
        const me = await api('/api/me');
        const sig = (x) => JSON.stringify(((x && x.meetings) || []).map((m) => [m.id, m.phase, m.window]));
        const changed = sig(me) !== sig(S.me);
        S.me = me;
        if (changed && S.page === page) remount();
      } catch (e) {
        console.warn('refresh /api/me failed', e);
      }
    }, everyMs);
  }

  function sortedMeetings() {
    return [...(S.me.meetings || [])].sort((a, b) => a.starts_at - b.starts_at);
  }

  function buyerPage() {
    const page = {
      name: 'buyer',
      mount(root) {
        const meetings = sortedMeetings();
        const next = meetings.find((m) => effPhase(m) !== 'closed');
        let nextBox = null;
        if (next) {
          const cd = h('span', { class: 'next-cd' });
          nextBox = h(
            'div',
            { class: 'next-box' },
            h('p', { class: 'eyebrow' }, t('next_meeting')),
            h('p', { class: 'next-org' }, orgCell(next.enterprise)),
            h('p', { class: 'muted' }, fmtRange(next)),
            cd,
          );
          S.tickers.push(() => setText(cd, statusText(next, effPhase(next))));
        }
        const booth = boothPanel();
        S.tickers.push((now) => booth.tick(now));
        root.append(
          orgHeader(nextBox),
          booth.el,
          h(
            'section',
            { class: 'card', 'aria-labelledby': 'mtg-title' },
            h('div', { class: 'card-head' }, h('h2', { id: 'mtg-title' }, t('my_meetings')), h('span', { class: 'muted' }, t('meeting_count', { n: meetings.length }))),
            meetings.length ? meetingTable(meetings, 'buyer') : h('p', { class: 'empty' }, t('no_meetings')),
          ),
        );
      },
      destroy() {
        clearInterval(page.timer);
      },
    };
    refreshMe(page, 30000);
    return page;
  }

  function vendorPage() {
    const page = {
      name: 'vendor',
      mount(root) {
        const meetings = sortedMeetings();
        const next = meetings.find((m) => effPhase(m) !== 'closed');
        root.append(orgHeader(null));
        const lobby = vendorLobbyPanel();
        S.tickers.push((now) => lobby.tick(now));
        if (next) root.append(waitingPanel(next, page));
        else root.append(h('section', { class: 'card wait done' }, h('p', { class: 'big-note' }, t('no_next'))));
        root.append(lobby.el);
        root.append(
          h(
            'section',
            { class: 'card', 'aria-labelledby': 'mtg-title' },
            h('div', { class: 'card-head' }, h('h2', { id: 'mtg-title' }, t('my_meetings')), h('span', { class: 'muted' }, t('meeting_count', { n: meetings.length }))),
            meetings.length ? meetingTable(meetings, 'vendor') : h('p', { class: 'empty' }, t('no_meetings')),
          ),
        );
      },
      destroy() {
        clearInterval(page.timer);
      },
    };
    refreshMe(page, 30000);
    return page;
  }

  /** The vendor's big waiting panel for the next meeting, entering the room when it opens. */
  function waitingPanel(m, page) {
    const w = m.window;
    // The bar fills over twice the check-in lead: half-way when check-in opens, full at the
    // start. Derived from the window only, so a reload shows the same progress.
    const from = w.checkin_opens_at - Math.max(60000, w.starts_at - w.checkin_opens_at);
    const auto = store('local', LS_AUTO) !== 'false';
    const big = h('div', { class: 'big-countdown', role: 'timer', 'aria-live': 'off' });
    const label = h('p', { class: 'big-label' }, t('wait_to_start'));
    const sub = h('p', { class: 'wait-sub', 'aria-live': 'polite' });
    const bar = h('div', { class: 'bar-fill' });
    const progress = h('div', { class: 'bar', role: 'progressbar', 'aria-label': t('progress_label'), 'aria-valuemin': '0', 'aria-valuemax': '100' }, bar);
    const badge = phaseBadge(effPhase(m));
    const btn = h('button', { type: 'button', class: 'btn primary big', 'aria-label': t('enter_aria', { name: m.institution.name }), onclick: () => enterRoom(m.id) }, t('enter'));
    const check = h('input', {
      type: 'checkbox',
      id: 'auto-enter',
      checked: auto,
      onchange: (ev) => store('local', LS_AUTO, ev.target.checked ? 'true' : 'false'),
    });
    let entering = false;
    S.tickers.push((now) => {
      const ph = effPhase(m);
      updateBadge(badge, ph);
      const toStart = w.starts_at - now;
      setText(big, fmtDur(ph === 'live' || ph === 'grace' ? 0 : toStart));
      let s;
      if (ph === 'scheduled') s = t('wait_checkin_in', { t: fmtDur(w.checkin_opens_at - now), time: fmtTime(w.checkin_opens_at) });
      else if (lobbyPlaceFor(m.id) && (ph === 'check-in' || ph === 'live')) s = t('wait_in_lobby');
      else if (ph === 'check-in') s = t('wait_checkin_open');
      else if (ph === 'live') s = t('wait_live');
      else s = t('wait_grace');
      setText(sub, entering ? t('entering') : s);
      const pct = Math.max(0, Math.min(100, ((now - from) / Math.max(1, w.starts_at - from)) * 100));
      bar.style.width = pct.toFixed(1) + '%';
      setAttr(progress, 'aria-valuenow', Math.round(pct));
      btn.disabled = !OPEN_PHASES.has(ph);
      setAttr(btn, 'title', ph === 'scheduled' ? t('enter_from', { time: fmtTime(w.checkin_opens_at), t: fmtDur(w.checkin_opens_at - now) }) : null);
      if (OPEN_PHASES.has(ph) && check.checked && !entering && !leftRooms.has(m.id) && S.page === page && lobbyAutoStep(m, now) === 'enter') {
        entering = true;
        setTimeout(() => {
          if (S.page === page) enterRoom(m.id);
        }, 600);
      }
    });
    return h(
      'section',
      { class: 'card wait', 'aria-labelledby': 'wait-title' },
      h('div', { class: 'wait-head' }, h('h2', { id: 'wait-title' }, t('wait_title')), badge),
      h('p', { class: 'wait-org' }, orgCell(m.institution)),
      h('p', { class: 'muted' }, t('round_n', { n: m.round }) + ' · ' + m.theme + ' · ' + fmtRange(m)),
      label,
      big,
      progress,
      sub,
      h('div', { class: 'actions' }, btn, h('label', { class: 'check', for: 'auto-enter' }, check, ' ', t('auto_enter'))),
    );
  }

  // ------------------------------------------------------------------------------------
  // The lobby (`/ws/lobby`, see signaling/PROTOCOL.md). One connection per signed-in buyer
  // or vendor, kept across the home and room pages: a buyer in a room still counts as at
  // the booth, and a vendor's places stay live while they move around. Panels read `L` and
  // redraw themselves from the page ticker; nothing here touches a page directly except
  // moving into a room the lobby admitted the participant to.
  // ------------------------------------------------------------------------------------
  const L = {
    token: null,
    role: null, // 'vendor' | 'buyer'
    ws: null,
    connected: false, // `welcome` received on the current socket
    status: null, // the last vendor_status or booth_status
    admitted: null, // the last `admitted` room
    unavailable: false, // temporarily_unavailable: a banner until the next status
    fatal: null, // {code, message}: the lobby refused us for good; no reconnecting
    lastError: null,
    downSince: 0, // Date.now() since the lobby is unusable; 0 while connected
    delay: 1000,
    reconnectTimer: null,
    pingTimer: null,
    eta: {}, // booth id → the walk-in wait's deadline (server ms), kept steady between updates
    autoTried: new Set(), // meetings this page load checked in to by itself
    autoFailed: new Set(), // meetings whose automatic check-in was refused
    autoPending: null, // {meeting, at}
    autoRetryAt: 0,
    deferred: null, // an admitted room not entered because another meeting was running
    watchTimer: null,
    readyTimer: null,
  };

  /** Booked meetings whose queue the vendor left on purpose (this browser session). */
  const SS_LOBBY_LEFT = 'sangdam.lobbyLeft';
  const lobbyLeft = sessionSet(SS_LOBBY_LEFT);

  function lobbyUrl() {
    return (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws/lobby';
  }

  /** Opens (or keeps, or closes) the lobby connection for the signed-in participant. */
  function lobbyEnsure() {
    const role = S.me && S.me.participant ? S.me.participant.role : null;
    if (!S.token || (role !== 'vendor' && role !== 'buyer')) return lobbyStop();
    if (L.token === S.token && L.role === role && (L.ws || L.reconnectTimer || L.fatal)) return;
    lobbyStop();
    L.token = S.token;
    L.role = role;
    L.downSince = Date.now();
    L.watchTimer = setInterval(lobbyWatch, 1000);
    lobbyConnect();
  }

  function lobbyStop(forget) {
    if (forget) store('session', SS_LOBBY_LEFT, null);
    clearInterval(L.watchTimer);
    clearTimeout(L.readyTimer);
    clearTimeout(L.reconnectTimer);
    clearInterval(L.pingTimer);
    const ws = L.ws;
    Object.assign(L, { token: null, role: null, ws: null, connected: false, status: null, admitted: null, unavailable: false, fatal: null, downSince: 0, delay: 1000, reconnectTimer: null, pingTimer: null, eta: {}, autoPending: null, autoRetryAt: 0, deferred: null, watchTimer: null, readyTimer: null });
    L.autoTried.clear();
    L.autoFailed.clear();
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      try {
        ws.close(1000, 'bye');
      } catch (_) {
        /* already closing */
      }
    }
    delete document.body.dataset.lobby;
  }

  function lobbyConnect() {
    clearTimeout(L.reconnectTimer);
    L.reconnectTimer = null;
    let ws;
    try {
      ws = new WebSocket(lobbyUrl());
    } catch (e) {
      lobbyRetry();
      return;
    }
    L.ws = ws;
    L.connected = false;
    ws.onopen = () => {
      if (ws !== L.ws) return;
      ws.send(JSON.stringify({ type: 'hello', v: 1, token: L.token }));
      lobbyPing();
      clearInterval(L.pingTimer);
      L.pingTimer = setInterval(lobbyPing, 20000);
    };
    ws.onmessage = (ev) => {
      if (ws !== L.ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (_) {
        console.warn('unreadable lobby message');
        return;
      }
      if (msg && typeof msg.type === 'string') lobbyHandle(msg);
    };
    ws.onclose = () => {
      if (ws !== L.ws) return;
      clearInterval(L.pingTimer);
      L.ws = null;
      L.connected = false;
      if (!L.downSince) L.downSince = Date.now();
      if (!L.fatal) lobbyRetry();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  // Leaving the page closes the lobby socket at once (the server keeps the places for the
  // grace time); a page restored from the back-forward cache connects again.
  window.addEventListener('pagehide', () => {
    const ws = L.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000, 'pagehide');
  });
  window.addEventListener('pageshow', (ev) => {
    if (ev.persisted && L.token && !L.ws && !L.fatal) lobbyConnect();
  });

  /** Reconnects with backoff (1 s doubling to 15 s, with jitter): places are kept 2 minutes. */
  function lobbyRetry() {
    clearTimeout(L.reconnectTimer);
    const wait = L.delay * (0.8 + Math.random() * 0.4);
    L.delay = Math.min(L.delay * 2, 15000);
    L.reconnectTimer = setTimeout(lobbyConnect, wait);
  }

  function lobbyPing() {
    lobbySend({ type: 'ping', t: Date.now() });
  }

  function lobbySend(obj) {
    const ws = L.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(obj));
    return true;
  }

  function lobbyHandle(msg) {
    switch (msg.type) {
      case 'welcome':
        L.connected = true;
        L.delay = 1000;
        L.downSince = 0;
        noteServerTime(msg.server_time);
        break;
      case 'vendor_status':
      case 'booth_status': {
        const prev = L.status;
        L.status = msg;
        L.unavailable = false;
        if (msg.type === 'vendor_status') lobbyVendorChanged(prev, msg);
        else lobbyBoothChanged(prev, msg);
        break;
      }
      case 'admitted':
        L.admitted = msg.room;
        lobbyAdmitted(msg.room);
        break;
      case 'pong':
        if (typeof msg.t === 'number') noteServerTime(msg.server_time, msg.t, Date.now());
        break;
      case 'error':
        L.lastError = { code: msg.code, message: msg.message, fatal: !!msg.fatal };
        S.lastError = L.lastError;
        if (msg.code === 'temporarily_unavailable') lobbyUnavailable();
        else if (msg.fatal && msg.code !== 'not_joined') L.fatal = { code: msg.code, message: msg.message || '' };
        else toast(errText(msg.code) + ' (' + msg.code + ')', 'error');
        if (L.autoPending && msg.code !== 'temporarily_unavailable' && msg.code !== 'busy') L.autoFailed.add(L.autoPending.meeting);
        if (L.autoPending) {
          // Let the waiting panel try again in a while (busy, unavailable) or fall back (refused).
          L.autoTried.delete(L.autoPending.meeting);
          L.autoPending = null;
          L.autoRetryAt = Date.now() + 5000;
        }
        break;
      default:
        console.warn('unknown lobby message', msg.type);
    }
    lobbyMark();
  }

  /**
   * The store is unreachable: show the banner until a status arrives again. A booth whose
   * queue did not change gets no new status after the outage, so /readyz tells us too.
   */
  function lobbyUnavailable() {
    L.unavailable = true;
    clearTimeout(L.readyTimer);
    const check = async () => {
      if (!L.unavailable) return;
      try {
        const res = await fetch('/readyz', { cache: 'no-store' });
        if (res.ok && L.unavailable) {
          L.unavailable = false;
          return;
        }
      } catch (_) {
        /* still down */
      }
      if (L.unavailable) L.readyTimer = setTimeout(check, 3000);
    };
    L.readyTimer = setTimeout(check, 3000);
  }

  /** body[data-lobby]: admitted (in a room by the lobby), waiting (in a queue), or idle. */
  function lobbyMark() {
    const s = L.status;
    let v = 'idle';
    if (s && s.type === 'vendor_status') v = s.in_room ? 'admitted' : (s.places || []).length ? 'waiting' : 'idle';
    else if (s && s.type === 'booth_status') v = s.current ? 'admitted' : (s.queue || []).length ? 'waiting' : 'idle';
    document.body.dataset.lobby = v;
  }

  function lobbyVendorChanged(prev, cur) {
    // Walk-in waits count down from a deadline that only moves when the estimate really does.
    const eta = {};
    for (const p of cur.places || []) {
      if (p.meeting) continue;
      const d = cur.server_time + p.estimated_wait_s * 1000;
      const old = L.eta[p.booth.id];
      eta[p.booth.id] = old !== undefined && Math.abs(old - d) < 1500 ? old : d;
    }
    L.eta = eta;
    if (L.autoPending && (cur.places || []).some((p) => p.meeting === L.autoPending.meeting)) L.autoPending = null;
    // Sent back by the buyer: out of the room, at the end of that booth's queue again.
    const was = prev && prev.in_room;
    if (was && !cur.in_room && (cur.places || []).some((p) => p.booth.id === was.booth.id)) {
      toast(t('lobby_sent_back'), 'info');
      if (S.room && S.room.meetingId === was.meeting) go('');
    }
  }

  function lobbyBoothChanged(prev, cur) {
    // The lobby let a vendor into one of this buyer's booked meetings: go there too.
    const c = cur.current;
    if (c && !c.walk_in && !(prev && prev.current && prev.current.meeting === c.meeting)) lobbyAdmitted(c);
  }

  /** The lobby lets this participant into a room: go there, unless that would be rude. */
  function lobbyAdmitted(room) {
    const id = room.meeting;
    if (!id || location.hash === '#room=' + encodeURIComponent(id)) return; // already there
    if (leftRooms.has(id)) return; // left it on purpose: the panel offers the way back
    const other = L.role === 'buyer' ? room.enterprise : room.booth;
    const name = other ? other.name : '';
    if (lobbyBusyElsewhere()) {
      // In a conversation right now: do not pull them out of it; go when it is over.
      if (!L.deferred || L.deferred.meeting !== id) toast(t('lobby_turn_toast', { name }), 'info');
      L.deferred = room;
      return;
    }
    L.deferred = null;
    toast(t('lobby_entering', { name }), 'info');
    enterRoom(id);
  }

  /** Enters a deferred admission once the meeting that held it up is over, if still valid. */
  function lobbyWatch() {
    const d = L.deferred;
    if (!d) return;
    const s = L.status;
    const cur = s && (s.type === 'vendor_status' ? s.in_room : s.current);
    if (!cur || cur.meeting !== d.meeting) L.deferred = null;
    else if (!lobbyBusyElsewhere()) lobbyAdmitted(d);
  }

  /** In a room with the other side there: a conversation the lobby must not interrupt. */
  function lobbyBusyElsewhere() {
    return !!(S.room && !S.room.ended && S.room.joined && S.room.peerPresent);
  }

  /** Buyers keep their booth panel under the room, to admit the next or send one back. */
  function withBoothPanel(page) {
    if (L.role !== 'buyer') return page;
    const mount = page.mount;
    page.mount = (root) => {
      mount(root);
      const booth = boothPanel();
      S.tickers.push((now) => booth.tick(now));
      root.append(booth.el);
    };
    return page;
  }

  function lobbyPlaceFor(meetingId) {
    const s = L.status;
    if (!s || s.type !== 'vendor_status') return null;
    return (s.places || []).find((p) => p.meeting === meetingId) || null;
  }

  /**
   * What the vendor's auto-enter does for a booked meeting whose room is open: 'wait' in the
   * lobby (checking in first, by itself), or 'enter' the room directly when the lobby cannot
   * help (down, refused the check-in, or the slot started a while ago without an admission).
   */
  function lobbyAutoStep(m, now) {
    if (L.role !== 'vendor') return 'enter';
    if (L.fatal || (!L.connected && L.downSince && Date.now() - L.downSince > 10000)) return 'enter';
    if (L.autoFailed.has(m.id)) return 'enter';
    const s = L.status;
    if (s && s.in_room && s.in_room.meeting === m.id) return 'enter';
    const waiting = s && (s.places || []).some((p) => p.meeting === m.id || p.booth.id === m.institution.id);
    if (waiting) return now - m.window.starts_at > 20000 ? 'enter' : 'wait';
    if (!L.connected || !s) return 'wait';
    if (lobbyLeft.has(m.id)) return 'none'; // left the queue on purpose
    if (s.in_room) return 'none'; // in another room
    if (effPhase(m) === 'grace') return 'enter'; // too late to queue; the room is still open
    if (!L.autoTried.has(m.id) && Date.now() >= L.autoRetryAt) {
      L.autoTried.add(m.id);
      L.autoPending = { meeting: m.id, at: Date.now() };
      lobbySend({ type: 'check_in', booth: m.institution.id, meeting: m.id });
    }
    return 'wait';
  }

  function lobbyCheckIn(booth, meeting) {
    if (meeting) lobbyLeft.remove(meeting);
    lobbySend(meeting ? { type: 'check_in', booth, meeting } : { type: 'check_in', booth });
  }

  function lobbyLeave(place) {
    // Leaving the queue for a booked meeting also stops auto-enter from checking in again.
    if (place.meeting) lobbyLeft.add(place.meeting);
    lobbySend({ type: 'leave_queue', booth: place.booth.id });
  }

  /** The lobby's state for tests. */
  function lobbyState() {
    const s = L.status;
    return {
      connected: L.connected,
      role: L.role,
      state: document.body.dataset.lobby || 'idle',
      places: s && s.type === 'vendor_status' ? s.places : [],
      inRoom: s && s.type === 'vendor_status' ? s.in_room : null,
      booth: s && s.type === 'booth_status' ? { queue: s.queue, current: s.current } : null,
      admitted: L.admitted,
      unavailable: L.unavailable,
      fatal: L.fatal,
      lastError: L.lastError,
    };
  }

  // --- panels -----------------------------------------------------------------------------
  /** The connection line and the store-trouble banner, shared by both panels. */
  function lobbyConnLine() {
    if (L.fatal) return h('span', { class: 'lobby-conn off' }, t('lobby_offline'));
    if (L.connected) return h('span', { class: 'lobby-conn on' }, h('span', { 'aria-hidden': 'true' }, '● '), t('lobby_live'));
    return h('span', { class: 'lobby-conn off' }, h('span', { 'aria-hidden': 'true' }, '○ '), t('lobby_offline'));
  }

  function lobbyNotices() {
    const out = [];
    if (L.fatal) out.push(h('p', { class: 'lobby-banner error', role: 'alert' }, t('lobby_fatal', { msg: errText(L.fatal.code) }), ' (', h('code', null, L.fatal.code), ')'));
    else if (!L.connected) out.push(h('p', { class: 'lobby-banner', role: 'status' }, L.downSince && L.status ? t('lobby_reconnecting') : t('lobby_connecting')));
    else if (L.unavailable) out.push(h('p', { class: 'lobby-banner', role: 'status', dataset: { banner: 'temporarily_unavailable' } }, t('lobby_unavailable')));
    return out;
  }

  function lobbyDot(on) {
    return h('span', { class: 'dot ' + (on ? 'on' : 'off') }, h('span', { 'aria-hidden': 'true' }, on ? '●' : '○'), h('span', { class: 'sr-only' }, t(on ? 'lobby_live' : 'lobby_offline')));
  }

  /** Updates the live countdowns in a panel: [data-deadline] counts down, [data-since] up. */
  function lobbyTickCountdowns(root, now) {
    for (const el of root.querySelectorAll('[data-deadline]')) {
      const left = Number(el.dataset.deadline) - now;
      setText(el, left <= 0 && el.dataset.soon ? el.dataset.soon : fmtDur(left));
    }
    for (const el of root.querySelectorAll('[data-since]')) setText(el, t('booth_waited', { t: fmtDur(now - Number(el.dataset.since)) }));
  }

  /**
   * A panel that redraws its body when what it shows changes (never on every second, so
   * focus and selections survive), and ticks its countdowns in between.
   */
  function lobbyPanel(cls, titleKey, body) {
    const head = h('div', { class: 'card-head' });
    const inner = h('div', { class: 'lobby-body' });
    const section = h('section', { class: 'card lobby ' + cls, 'aria-labelledby': cls + '-title' }, head, inner);
    let sig = null;
    return {
      el: section,
      tick(now) {
        const parts = body(now);
        const next = S.lang + '|' + JSON.stringify(parts.sig);
        if (next !== sig) {
          sig = next;
          head.replaceChildren(h('h2', { id: cls + '-title' }, t(titleKey)), lobbyConnLine());
          inner.replaceChildren(...lobbyNotices(), ...parts.draw());
        }
        lobbyTickCountdowns(inner, now);
      },
    };
  }

  /** The vendor's lobby: where they wait, what they may check in to, walk-ins. */
  function vendorLobbyPanel() {
    let walkSel = null;
    let walkPicked = false;
    const meetings = () => sortedMeetings();
    const booths = () => {
      const seen = new Map();
      for (const m of meetings()) if (!seen.has(m.institution.id)) seen.set(m.institution.id, m.institution);
      return [...seen.values()];
    };
    const panel = lobbyPanel('vendor-lobby', 'lobby_title', (now) => {
      const s = L.status && L.status.type === 'vendor_status' ? L.status : null;
      const places = s ? s.places || [] : [];
      const inRoom = s ? s.in_room : null;
      const queuedAt = new Set(places.map((p) => p.booth.id));
      const offers = meetings().filter((m) => {
        const ph = effPhase(m);
        // Not where they already wait: checking in again at a booth keeps the place it has.
        return (ph === 'check-in' || ph === 'live') && !queuedAt.has(m.institution.id) && !(inRoom && inRoom.meeting === m.id);
      });
      const sig = [
        L.connected, L.fatal && L.fatal.code, L.unavailable, !!L.downSince,
        places.map((p) => [p.booth.id, p.position, p.waiting, p.meeting, p.starts_at, p.disconnected, p.meeting ? 0 : L.eta[p.booth.id]]),
        inRoom && [inRoom.meeting, inRoom.until, leftRooms.has(inRoom.meeting), location.hash],
        offers.map((m) => m.id),
      ];
      const draw = () => {
        const out = [];
        if (inRoom) {
          const here = S.room && S.room.meetingId === inRoom.meeting;
          out.push(
            h(
              'div',
              { class: 'lobby-turn', role: 'status' },
              h('p', { class: 'eyebrow' }, t('lobby_turn')),
              h('p', { class: 'lobby-turn-org' }, orgCell(inRoom.booth)),
              h('p', { class: 'muted' }, inRoom.walk_in ? [h('span', { class: 'tag walk-in' }, t('lobby_walk_in')), ' '] : null, t('lobby_time_left'), ' ', h('span', { class: 'countdown', role: 'timer', dataset: { deadline: String(inRoom.until) } })),
              here ? null : h('button', { type: 'button', class: 'btn primary', onclick: () => enterRoom(inRoom.meeting) }, t('lobby_enter_room')),
            ),
          );
        }
        out.push(h('h3', null, t('lobby_places')));
        if (!places.length) out.push(h('p', { class: 'empty' }, s ? t('lobby_none') : t('loading')));
        else {
          out.push(
            h(
              'ul',
              { class: 'places' },
              places.map((p) => {
                const deadline = p.meeting ? p.starts_at : L.eta[p.booth.id];
                return h(
                  'li',
                  { class: 'place' + (p.disconnected ? ' is-off' : ''), dataset: { booth: p.booth.id, position: String(p.position) } },
                  h(
                    'div',
                    { class: 'place-main' },
                    h('p', { class: 'place-org' }, orgCell(p.booth)),
                    h('p', { class: 'muted' }, p.meeting ? t('lobby_booked', { time: fmtTime(p.starts_at) }) : h('span', { class: 'tag walk-in' }, t('lobby_walk_in'))),
                    p.disconnected ? h('p', { class: 'warn-text' }, t('lobby_place_off')) : null,
                  ),
                  h('div', { class: 'place-pos' }, h('span', { class: 'place-n' }, t('lobby_position', { n: p.position, of: p.waiting }))),
                  h('div', { class: 'place-eta' }, h('span', { class: 'muted' }, t('lobby_eta')), h('span', { class: 'eta-cd', role: 'timer', dataset: { deadline: String(deadline), soon: t('lobby_eta_now') } })),
                  h('button', { type: 'button', class: 'btn small', 'aria-label': t('lobby_leave_aria', { name: p.booth.name }), disabled: !L.connected, onclick: () => lobbyLeave(p) }, t('lobby_leave')),
                );
              }),
            ),
          );
        }
        if (offers.length) {
          out.push(
            h('h3', null, t('lobby_offers')),
            h(
              'ul',
              { class: 'offers' },
              offers.map((m) =>
                h(
                  'li',
                  { class: 'offer', dataset: { meeting: m.id } },
                  h('span', null, orgCell(m.institution), ' ', h('span', { class: 'muted nowrap' }, fmtRange(m))),
                  h('button', { type: 'button', class: 'btn primary small', 'aria-label': t('lobby_checkin_aria', { name: m.institution.name }), disabled: !L.connected, onclick: () => lobbyCheckIn(m.institution.id, m.id) }, t('lobby_checkin')),
                )),
            ),
          );
        }
        const list = booths();
        if (list.length) {
          if (!walkSel || !list.some((b) => b.id === walkSel) || (!walkPicked && queuedAt.has(walkSel))) walkSel = (list.find((b) => !queuedAt.has(b.id)) || list[0]).id;
          const btn = h('button', { type: 'button', class: 'btn', disabled: !L.connected || queuedAt.has(walkSel), onclick: () => lobbyCheckIn(walkSel, null) }, t('lobby_walkin_btn'));
          const sel = h(
            'select',
            {
              id: 'walkin-booth',
              onchange: (ev) => {
                walkSel = ev.target.value;
                walkPicked = true;
                btn.disabled = !L.connected || queuedAt.has(walkSel);
              },
            },
            list.map((b) => h('option', { value: b.id }, b.name + ' · ' + kindLabel(b) + (queuedAt.has(b.id) ? ' — ' + t('lobby_waiting_here') : ''))),
          );
          sel.value = walkSel;
          out.push(
            h('h3', null, t('lobby_walkin_title')),
            h('div', { class: 'filters walkin' }, h('div', { class: 'field grow' }, h('label', { for: 'walkin-booth' }, t('lobby_walkin_label')), sel), btn),
            h('p', { class: 'muted note' }, t('lobby_walkin_hint')),
          );
        }
        return out;
      };
      return { sig, draw };
    });
    return panel;
  }

  /** The buyer's booth: who waits, who is in the room, admit next and send back. */
  function boothPanel() {
    const panel = lobbyPanel('booth', 'booth_title', () => {
      const s = L.status && L.status.type === 'booth_status' ? L.status : null;
      const queue = s ? s.queue || [] : [];
      const cur = s ? s.current : null;
      const sig = [
        L.connected, L.fatal && L.fatal.code, L.unavailable, !!L.downSince, !!s,
        queue.map((q) => [q.vendor, q.meeting, q.checked_in_at, q.disconnected]),
        cur && [cur.meeting, cur.until, cur.enterprise.id, leftRooms.has(cur.meeting), location.hash],
      ];
      const draw = () => {
        const out = [];
        const box = h('div', { class: 'booth-now' + (cur ? ' busy' : '') }, h('p', { class: 'eyebrow' }, t('booth_now')));
        if (cur) {
          box.append(
            h('p', { class: 'lobby-turn-org' }, orgCell(cur.enterprise), ' ', cur.walk_in ? h('span', { class: 'tag walk-in' }, t('lobby_walk_in')) : null),
            h('p', { class: 'muted' }, fmtTime(cur.since) + '–' + fmtTime(cur.until) + ' · ' + t('lobby_time_left') + ' ', h('span', { class: 'countdown', role: 'timer', dataset: { deadline: String(cur.until) } })),
            h(
              'div',
              { class: 'actions' },
              location.hash === '#room=' + encodeURIComponent(cur.meeting) ? null : h('button', { type: 'button', class: 'btn primary', onclick: () => enterRoom(cur.meeting) }, t('lobby_enter_room')),
              h('button', { type: 'button', class: 'btn', disabled: !L.connected, onclick: () => lobbySend({ type: 'send_back' }) }, t('booth_send_back')),
            ),
          );
        } else box.append(h('p', { class: 'muted' }, s ? t('booth_idle') : t('loading')));
        out.push(box);
        out.push(
          h(
            'div',
            { class: 'card-head booth-queue-head' },
            h('h3', null, t('booth_queue', { n: queue.length })),
            h('button', { type: 'button', class: 'btn primary', id: 'admit-next', disabled: !L.connected || !queue.length, onclick: () => lobbySend({ type: 'admit_next' }) }, t('booth_admit')),
          ),
        );
        if (!queue.length) out.push(h('p', { class: 'empty' }, t('booth_queue_empty')));
        else {
          const rows = queue.map((q, i) =>
            h(
              'tr',
              { dataset: { vendor: q.vendor }, class: q.disconnected ? 'is-closed' : null },
              h('td', { class: 'center' }, String(i + 1)),
              h('td', null, q.name),
              h('td', null, orgCell(q.enterprise)),
              h('td', { class: 'nowrap' }, q.meeting ? t('lobby_booked', { time: fmtTime(q.starts_at) }) : h('span', { class: 'tag walk-in' }, t('lobby_walk_in'))),
              h('td', { class: 'nowrap' }, fmtTime(q.checked_in_at), h('span', { class: 'sub countdown', dataset: { since: String(q.checked_in_at) } })),
              h('td', { class: 'center' }, lobbyDot(!q.disconnected)),
            ));
          out.push(
            h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'data' },
                h('caption', { class: 'sr-only' }, t('booth_caption')),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col', class: 'center' }, t('booth_col_no')),
                    h('th', { scope: 'col' }, t('booth_col_name')),
                    h('th', { scope: 'col' }, t('col_enterprise')),
                    h('th', { scope: 'col' }, t('booth_col_booking')),
                    h('th', { scope: 'col' }, t('booth_col_since')),
                    h('th', { scope: 'col', class: 'center' }, t('booth_col_conn')),
                  ),
                ),
                h('tbody', null, rows),
              ),
            ),
          );
        }
        out.push(h('p', { class: 'muted note' }, t('booth_note')));
        return out;
      };
      return { sig, draw };
    });
    return panel;
  }

  // ------------------------------------------------------------------------------------
  // Moderator page: live rooms, refreshed every 5 s.
  // ------------------------------------------------------------------------------------
  function opsNav(current) {
    return h(
      'nav',
      { class: 'tabs', 'aria-label': t('nav_label') },
      h('a', { href: '#view=rooms', class: 'tab', 'aria-current': current === 'rooms' ? 'page' : null }, t('nav_rooms')),
      h('a', { href: '#view=schedule', class: 'tab', 'aria-current': current === 'schedule' ? 'page' : null }, t('nav_schedule')),
      h('a', { href: '#view=log', class: 'tab', 'aria-current': current === 'log' ? 'page' : null }, t('nav_log')),
      h('a', { href: '#view=report', class: 'tab', 'aria-current': current === 'report' ? 'page' : null }, t('nav_report')),
    );
  }

  function presenceDot(on) {
    return h('span', { class: 'dot ' + (on ? 'on' : 'off') }, h('span', { 'aria-hidden': 'true' }, on ? '●' : '○'), h('span', { class: 'sr-only' }, t(on ? 'present' : 'absent')));
  }

  function moderatorPage() {
    const page = {
      name: 'moderator',
      data: null,
      error: null,
      updatedAt: null,
      mount(root) {
        root.append(opsNav('rooms'));
        const head = h('div', { class: 'card-head' }, h('h1', { id: 'mod-title' }, t('mod_title')));
        const status = h('p', { class: 'muted', role: 'status' });
        const section = h('section', { class: 'card', 'aria-labelledby': 'mod-title' }, head, status);
        root.append(section);
        if (page.error) status.append(h('span', { class: 'warn-text' }, t('mod_stale', { code: page.error.code, msg: page.error.message })));
        else if (page.updatedAt) status.append(t('mod_updated', { time: fmtClock(page.updatedAt) }));
        else status.append(t('loading'));
        if (!page.data) return;
        const rooms = page.data.rooms || [];
        const phases = rooms.map((r) => effPhase(r.meeting));
        const live = phases.filter((p) => p === 'live' || p === 'grace').length;
        const both = rooms.filter((r) => r.buyer_present && r.vendor_present).length;
        const missing = rooms.filter((r, i) => (phases[i] === 'live' || phases[i] === 'grace') && !(r.buyer_present && r.vendor_present)).length;
        section.append(
          h(
            'dl',
            { class: 'stats' },
            h('div', null, h('dt', null, t('sum_rooms')), h('dd', null, String(rooms.length))),
            h('div', null, h('dt', null, t('sum_live')), h('dd', null, String(live))),
            h('div', null, h('dt', null, t('sum_both')), h('dd', null, String(both))),
            h('div', { class: missing ? 'alert' : null }, h('dt', null, t('sum_missing')), h('dd', null, String(missing))),
          ),
        );
        if (!rooms.length) {
          section.append(h('p', { class: 'empty' }, t('mod_none')));
          return;
        }
        const rows = rooms.map((r) => {
          const m = r.meeting;
          const badge = phaseBadge(effPhase(m));
          const rem = h('td', { class: 'nowrap countdown' });
          const tr = h(
            'tr',
            { dataset: { meeting: m.id } },
            h('td', { class: 'nowrap' }, h('span', { class: 'round' }, t('round_n', { n: m.round }) + ' · ' + fmtRange(m)), h('span', { class: 'sub mono' }, m.id)),
            h('td', null, orgCell(m.institution)),
            h('td', null, orgCell(m.enterprise)),
            h('td', null, badge),
            h('td', { class: 'center' }, presenceDot(r.buyer_present)),
            h('td', { class: 'center' }, presenceDot(r.vendor_present)),
            rem,
          );
          S.tickers.push((now) => {
            const ph = effPhase(m);
            updateBadge(badge, ph);
            const w = m.window;
            let s = '—';
            if (ph === 'scheduled' || ph === 'check-in') s = t('rem_to_start', { t: fmtDur(w.starts_at - now) });
            else if (ph === 'live') s = t('rem_left', { t: fmtDur(w.ends_at - now) });
            else if (ph === 'grace') s = t('rem_grace', { t: fmtDur(w.closes_at - now) });
            setText(rem, s);
            rem.classList.toggle('last-minute', ph === 'live' && w.ends_at - now <= 60000);
            tr.classList.toggle('is-live', ph === 'live' || ph === 'grace');
            tr.classList.toggle('is-closed', ph === 'closed');
            tr.classList.toggle('needs-attention', (ph === 'live' || ph === 'grace') && !(r.buyer_present && r.vendor_present));
          });
          return tr;
        });
        section.append(
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data' },
              h('caption', { class: 'sr-only' }, t('mod_caption')),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, t('col_meeting')),
                  h('th', { scope: 'col' }, t('col_institution')),
                  h('th', { scope: 'col' }, t('col_enterprise')),
                  h('th', { scope: 'col' }, t('col_phase')),
                  h('th', { scope: 'col', class: 'center' }, t('col_buyer')),
                  h('th', { scope: 'col', class: 'center' }, t('col_vendor')),
                  h('th', { scope: 'col' }, t('col_remaining')),
                ),
              ),
              h('tbody', null, rows),
            ),
          ),
        );
      },
      async load() {
        try {
          page.data = await api('/api/rooms');
          page.error = null;
          page.updatedAt = serverNow();
        } catch (e) {
          page.error = { code: e.code || 'unknown', message: e.message || '' };
          S.lastError = { code: page.error.code, message: page.error.message, fatal: false };
          if (!page.data && e.code !== 'network') {
            if (S.page === page) show(errorPage(e));
            return;
          }
        }
        if (S.page === page) remount();
      },
      destroy() {
        clearInterval(page.timer);
      },
    };
    page.load();
    page.timer = setInterval(() => page.load(), 5000);
    return page;
  }

  // ------------------------------------------------------------------------------------
  // Staff page: the whole schedule with filters and counts.
  // ------------------------------------------------------------------------------------
  function staffPage() {
    const page = {
      name: 'staff',
      data: null,
      round: '',
      query: '',
      mount(root) {
        root.append(opsNav('schedule'));
        const section = h('section', { class: 'card', 'aria-labelledby': 'staff-title' }, h('div', { class: 'card-head' }, h('h1', { id: 'staff-title' }, t('staff_title'))));
        root.append(section);
        if (!page.data) {
          section.append(h('p', { class: 'loading', role: 'status' }, t('loading')));
          return;
        }
        const all = page.data.meetings || [];
        const rounds = [...new Map(all.map((m) => [m.round, m.theme])).entries()].sort((a, b) => a[0] - b[0]);
        const sel = h(
          'select',
          { id: 'f-round' },
          h('option', { value: '' }, t('filter_all')),
          rounds.map(([n, theme]) => h('option', { value: String(n) }, t('round_n', { n }) + ' · ' + theme)),
        );
        sel.value = page.round;
        const q = h('input', { id: 'f-q', type: 'search', placeholder: t('filter_search_ph'), value: page.query, autocomplete: 'off' });
        const counts = h('dl', { class: 'stats', 'aria-live': 'polite' });
        const tbody = h('tbody');
        const draw = () => {
          const needle = page.query.trim().toLowerCase();
          const list = all.filter((m) => {
            if (page.round && String(m.round) !== page.round) return false;
            if (!needle) return true;
            const hay = [m.id, m.theme, m.institution.name, m.institution.kind_label, KIND_EN[m.institution.kind], m.enterprise.name, m.enterprise.kind_label, KIND_EN[m.enterprise.kind]].join(' ').toLowerCase();
            return hay.includes(needle);
          });
          const inst = new Set(list.map((m) => m.institution.id)).size;
          const ent = new Set(list.map((m) => m.enterprise.id)).size;
          counts.replaceChildren(
            h('div', null, h('dt', null, t('cnt_meetings')), h('dd', { id: 'cnt-meetings' }, String(list.length))),
            h('div', null, h('dt', null, t('cnt_institutions')), h('dd', { id: 'cnt-institutions' }, String(inst))),
            h('div', null, h('dt', null, t('cnt_enterprises')), h('dd', { id: 'cnt-enterprises' }, String(ent))),
          );
          tbody.replaceChildren(
            ...(list.length
              ? list.map((m) =>
                h(
                  'tr',
                  { dataset: { meeting: m.id } },
                  h('td', null, h('span', { class: 'round' }, t('round_n', { n: m.round })), h('span', { class: 'sub' }, m.theme)),
                  h('td', { class: 'nowrap' }, fmtRange(m, true), h('span', { class: 'sub mono' }, m.id)),
                  h('td', null, orgCell(m.institution)),
                  h('td', null, orgCell(m.enterprise)),
                  h('td', null, phaseBadge(effPhase(m))),
                ))
              : [h('tr', null, h('td', { colspan: '5', class: 'empty' }, t('staff_none')))]),
          );
        };
        sel.addEventListener('change', () => {
          page.round = sel.value;
          draw();
        });
        q.addEventListener('input', () => {
          page.query = q.value;
          draw();
        });
        section.append(
          h(
            'div',
            { class: 'filters', role: 'search' },
            h('div', { class: 'field' }, h('label', { for: 'f-round' }, t('filter_round')), sel),
            h('div', { class: 'field grow' }, h('label', { for: 'f-q' }, t('filter_search')), q),
          ),
          counts,
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data' },
              h('caption', { class: 'sr-only' }, t('staff_caption')),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, t('col_round')),
                  h('th', { scope: 'col' }, t('col_datetime')),
                  h('th', { scope: 'col' }, t('col_institution')),
                  h('th', { scope: 'col' }, t('col_enterprise')),
                  h('th', { scope: 'col' }, t('col_phase')),
                ),
              ),
              tbody,
            ),
          ),
          h('p', { class: 'muted note' }, t('log_later')),
        );
        draw();
      },
      async load() {
        try {
          page.data = await api('/api/meetings');
          if (S.page === page) remount();
        } catch (e) {
          if (S.page === page) show(errorPage(e));
        }
      },
    };
    page.load();
    return page;
  }

  // ------------------------------------------------------------------------------------
  // The record: the consultation log, the fair's report (staff, moderators) and the
  // satisfaction survey (buyers, vendors). See server/API.md.
  // ------------------------------------------------------------------------------------
  const OUTCOMES = ['quote_requested', 'sample_requested', 'contract_review', 'none'];
  const I_KINDS = ['city_hall', 'district', 'city_funded', 'education', 'other'];
  const E_KINDS = ['social_enterprise', 'cooperative', 'village_enterprise', 'other'];
  const I_KIND_KO = { city_hall: '본청', district: '자치구', city_funded: '투자출연기관', education: '서울시교육청', other: '기타' };
  const E_KIND_KO = { social_enterprise: '(예비)사회적기업', cooperative: '(사회적)협동조합', village_enterprise: '마을기업', other: '기타' };

  /** The JSON body of a POST, with the same error handling as api(). */
  async function apiPost(path, body) {
    let res;
    try {
      res = await fetch(path, {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + S.token, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError('network', String((e && e.message) || e), 0);
    }
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      throw new ApiError(e.code || 'http_' + res.status, e.message || res.statusText || '', res.status);
    }
    return data;
  }

  /** Fetches an export with the bearer token and saves it under the server's file name. */
  async function download(path, fallbackName) {
    let res;
    try {
      res = await fetch(path, { headers: { Authorization: 'Bearer ' + S.token }, cache: 'no-store' });
    } catch (e) {
      throw new ApiError('network', String((e && e.message) || e), 0);
    }
    if (!res.ok) {
      let e = {};
      try {
        e = ((await res.json()) || {}).error || {};
      } catch (_) {
        /* not JSON */
      }
      throw new ApiError(e.code || 'http_' + res.status, e.message || res.statusText || '', res.status);
    }
    const blob = await res.blob();
    const cd = res.headers.get('Content-Disposition') || '';
    const m = cd.match(/filename="([^"]+)"/);
    const a = h('a', { href: URL.createObjectURL(blob), download: (m && m[1]) || fallbackName, hidden: true });
    document.body.append(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  }

  function endingText(e) {
    if (!e) return '';
    if (e.kind === 'left_early') return t('ending_left_early_' + e.side);
    if (e.kind === 'no_show') return t('ending_no_show_' + e.absent);
    return t('ending_' + e.kind);
  }

  function pct(n) {
    return (Math.round(n * 10) / 10).toFixed(1) + '%';
  }

  /** A horizontal bar for a share in percent (0–100, longer bars are clipped). */
  function bar(percent, cls) {
    const w = Math.max(0, Math.min(100, percent));
    return h('span', { class: 'bar ' + (cls || ''), 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: 'width:' + w.toFixed(1) + '%' }));
  }

  /** The fair selector shared by the log and the report; `fairs` is /api/fairs. */
  function fairSelect(fairs, value, onchange) {
    const sel = h(
      'select',
      { id: 'f-fair' },
      fairs.fairs.map((f) => h('option', { value: f.id }, f.current ? t('fair_current', { name: f.name }) : f.name)),
    );
    sel.value = value;
    sel.addEventListener('change', () => onchange(sel.value));
    return h('div', { class: 'field' }, h('label', { for: 'f-fair' }, t('fair_label')), sel);
  }

  /** The fair a staff page opens with: the current one if it has records, else the latest on record. */
  function defaultFair(fairs) {
    const cur = fairs.fairs.find((f) => f.current);
    if (cur && cur.records > 0) return cur.id;
    const done = fairs.fairs.find((f) => !f.current && f.records > 0);
    return (done || cur || fairs.fairs[0]).id;
  }

  function logPage() {
    const page = {
      name: 'log',
      fairs: null,
      fair: null,
      data: null,
      orgs: null, // {institutions: [[id, name]], enterprises: [...]} of the selected fair
      f: { round: '', date: '', institution: '', enterprise: '', institution_type: '', enterprise_type: '', outcome: '', no_show: '' },
      sort: 'time',
      order: 'asc',
      error: null,
      busy: false,
      query(extra) {
        const q = new URLSearchParams({ fair: page.fair });
        for (const [k, v] of Object.entries(page.f)) if (v) q.set(k, v);
        q.set('sort', page.sort);
        q.set('order', page.order);
        for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
        return q.toString();
      },
      mount(root) {
        root.append(opsNav('log'));
        const section = h('section', { class: 'card', 'aria-labelledby': 'log-title' });
        root.append(section);
        const head = h('div', { class: 'card-head' }, h('h1', { id: 'log-title' }, t('log_title')));
        section.append(head);
        if (!page.fairs) {
          section.append(h('p', { class: 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')));
          return;
        }
        const dl = (ext) =>
          h(
            'button',
            {
              type: 'button',
              class: 'btn small',
              id: 'dl-' + ext,
              async onclick(ev) {
                const b = ev.currentTarget;
                b.disabled = true;
                try {
                  await download('/api/log.' + ext + '?' + page.query(), 'sangdam-log.' + ext);
                } catch (e) {
                  toast(t('dl_failed', { msg: errText(e.code) }), 'error');
                } finally {
                  b.disabled = false;
                }
              },
            },
            t('dl_' + ext),
          );
        head.append(h('div', { class: 'actions' }, dl('csv'), dl('xlsx')));

        const set = (k) => (ev) => {
          page.f[k] = ev.currentTarget.value;
          page.load();
        };
        const select = (id, k, options) => {
          const s = h('select', { id, onchange: set(k) }, h('option', { value: '' }, t('filter_all')), options.map(([v, label]) => h('option', { value: v }, label)));
          s.value = page.f[k];
          return s;
        };
        const fair = page.fairs.fairs.find((x) => x.id === page.fair) || {};
        const rounds = [];
        for (let n = 1; n <= (fair.rounds || 0); n++) rounds.push([String(n), t('round_n', { n })]);
        const date = h('input', { id: 'f-date', type: 'date', value: page.f.date, onchange: set('date') });
        const orgs = page.orgs || { institutions: [], enterprises: [] };
        section.append(
          h(
            'div',
            { class: 'filters', role: 'search' },
            fairSelect(page.fairs, page.fair, (id) => {
              page.fair = id;
              page.orgs = null;
              for (const k of Object.keys(page.f)) page.f[k] = '';
              page.load();
            }),
            h('div', { class: 'field' }, h('label', { for: 'f-round' }, t('filter_round')), select('f-round', 'round', rounds)),
            h('div', { class: 'field' }, h('label', { for: 'f-date' }, t('filter_date')), date),
            h('div', { class: 'field' }, h('label', { for: 'f-inst' }, t('col_institution')), select('f-inst', 'institution', orgs.institutions)),
            h('div', { class: 'field' }, h('label', { for: 'f-ent' }, t('col_enterprise')), select('f-ent', 'enterprise', orgs.enterprises)),
            h('div', { class: 'field' }, h('label', { for: 'f-itype' }, t('filter_itype')), select('f-itype', 'institution_type', I_KINDS.map((k) => [k, kindLabel({ kind: k, kind_label: I_KIND_KO[k] })]))),
            h('div', { class: 'field' }, h('label', { for: 'f-etype' }, t('filter_etype')), select('f-etype', 'enterprise_type', E_KINDS.map((k) => [k, kindLabel({ kind: k, kind_label: E_KIND_KO[k] })]))),
            h('div', { class: 'field' }, h('label', { for: 'f-outcome' }, t('filter_outcome')), select('f-outcome', 'outcome', OUTCOMES.map((o) => [o, t('outcome_' + o)]).concat([['unanswered', t('outcome_unanswered')]]))),
            h('div', { class: 'field' }, h('label', { for: 'f-noshow' }, t('filter_noshow')), select('f-noshow', 'no_show', [['true', t('noshow_yes')], ['false', t('noshow_no')]])),
          ),
        );
        const status = h('p', { class: 'muted', role: 'status', id: 'log-status' });
        section.append(status);
        if (page.error) status.append(h('span', { class: 'warn-text' }, errText(page.error.code) + (page.error.message ? ' (' + page.error.message + ')' : '')));
        if (!page.data) {
          if (!page.error) status.append(t('loading'));
          return;
        }
        const rows = page.data.rows || [];
        status.append(t('log_shown', { shown: rows.length, total: page.data.total }));
        const th = (key, label) => {
          const cur = page.sort === key;
          const arrow = cur ? (page.order === 'asc' ? ' ▲' : ' ▼') : '';
          return h(
            'th',
            { scope: 'col', 'aria-sort': cur ? (page.order === 'asc' ? 'ascending' : 'descending') : null },
            h(
              'button',
              {
                type: 'button',
                class: 'sort',
                dataset: { sort: key },
                onclick() {
                  if (page.sort === key) page.order = page.order === 'asc' ? 'desc' : 'asc';
                  else {
                    page.sort = key;
                    page.order = key === 'duration' || key === 'rating' || key === 'outcome' ? 'desc' : 'asc';
                  }
                  page.load();
                },
              },
              label + arrow,
            ),
          );
        };
        const rating = (r) => {
          const parts = [];
          if (r.buyer_survey) parts.push(t('side_buyer_short') + ' ' + r.buyer_survey.rating);
          if (r.vendor_survey) parts.push(t('side_vendor_short') + ' ' + r.vendor_survey.rating);
          return parts.join(' · ');
        };
        const body = rows.length
          ? rows.map((r) =>
            h(
              'tr',
              { dataset: { meeting: r.meeting }, class: r.ending && r.ending.kind === 'no_show' ? 'is-noshow' : null },
              h('td', null, h('span', { class: 'round' }, t('round_n', { n: r.round })), h('span', { class: 'sub' }, r.theme)),
              h('td', { class: 'nowrap' }, fmtDate(r.scheduled_start) + ' ' + fmtTime(r.scheduled_start), h('span', { class: 'sub mono' }, r.meeting)),
              h('td', null, orgCell(r.institution), r.buyer ? h('span', { class: 'sub' }, r.buyer.name) : null),
              h('td', null, orgCell(r.enterprise), r.vendor ? h('span', { class: 'sub' }, r.vendor.name) : null),
              h('td', { class: 'nowrap num' }, t('minutes', { n: Math.round(r.duration_s / 60) })),
              h('td', null, endingText(r.ending), r.moderator_actions && r.moderator_actions.length ? h('span', { class: 'sub' }, r.moderator_actions.map((a) => a.action).join(', ')) : null),
              h('td', { class: 'nowrap' }, rating(r)),
              h('td', null, r.outcome ? h('span', { class: 'tag outcome-' + r.outcome }, t('outcome_' + r.outcome)) : h('span', { class: 'muted' }, '—')),
            ))
          : [h('tr', null, h('td', { colspan: '8', class: 'empty' }, t('log_none')))];
        section.append(
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data log' },
              h('caption', { class: 'sr-only' }, t('log_caption')),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  th('round', t('col_round')),
                  th('time', t('col_datetime')),
                  th('institution', t('col_institution')),
                  th('enterprise', t('col_enterprise')),
                  th('duration', t('col_duration')),
                  h('th', { scope: 'col' }, t('col_ending')),
                  th('rating', t('col_rating')),
                  th('outcome', t('col_outcome')),
                ),
              ),
              h('tbody', null, body),
            ),
          ),
        );
      },
      async load() {
        try {
          if (!page.fairs) {
            page.fairs = await api('/api/fairs');
            page.fair = defaultFair(page.fairs);
          }
          if (!page.orgs) {
            // Every row of the fair once, for the organisation filters.
            const all = await api('/api/log?fair=' + encodeURIComponent(page.fair) + '&limit=5000');
            const inst = new Map();
            const ent = new Map();
            for (const r of all.rows || []) {
              inst.set(r.institution.id, r.institution.name);
              ent.set(r.enterprise.id, r.enterprise.name);
            }
            const sorted = (m) => [...m.entries()].sort((a, b) => a[1].localeCompare(b[1], 'ko'));
            page.orgs = { institutions: sorted(inst), enterprises: sorted(ent) };
          }
          page.data = await api('/api/log?' + page.query({ limit: '5000' }));
          page.error = null;
        } catch (e) {
          page.error = { code: e.code || 'unknown', message: e.message || '' };
          S.lastError = { code: page.error.code, message: page.error.message, fatal: false };
        }
        if (S.page === page) remount();
      },
    };
    page.load();
    return page;
  }

  function reportPage() {
    const page = {
      name: 'report',
      fairs: null,
      fair: null,
      data: null,
      error: null,
      mount(root) {
        root.append(opsNav('report'));
        const section = h('section', { class: 'card report', 'aria-labelledby': 'report-title' });
        root.append(section);
        section.append(h('div', { class: 'card-head' }, h('h1', { id: 'report-title' }, t('report_title'))));
        if (!page.fairs || !page.data) {
          section.append(h('p', { class: 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')));
          if (page.fairs) section.append(h('div', { class: 'filters' }, fairSelect(page.fairs, page.fair, (id) => page.choose(id))));
          return;
        }
        const r = page.data;
        const tt = r.totals;
        section.append(
          h('div', { class: 'filters' }, fairSelect(page.fairs, page.fair, (id) => page.choose(id))),
          h(
            'dl',
            { class: 'stats big' },
            h('div', null, h('dt', null, t('rep_institutions')), h('dd', { id: 'rep-institutions' }, String(tt.institutions))),
            h('div', null, h('dt', null, t('rep_enterprises')), h('dd', { id: 'rep-enterprises' }, String(tt.enterprises))),
            h('div', null, h('dt', null, t('rep_consultations')), h('dd', { id: 'rep-consultations' }, String(tt.consultations))),
            h('div', null, h('dt', null, t('rep_no_shows')), h('dd', null, String(tt.no_shows))),
            h('div', null, h('dt', null, t('rep_avg')), h('dd', null, t('minutes', { n: tt.average_minutes }))),
          ),
          h('p', { class: 'muted note' }, t('rep_basis', { ip: tt.institution_participations, ep: tt.enterprise_participations })),
        );

        const table = (caption, heads, rows) =>
          h(
            'div',
            { class: 'table-wrap' },
            h('table', { class: 'data report-table' }, h('caption', null, caption), h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', null, rows)),
          );

        if (r.growth) {
          const g = r.growth;
          const line = (key) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, t('rep_' + key)),
              h('td', { class: 'num' }, String(g[key].previous)),
              h('td', { class: 'num' }, String(g[key].current)),
              h('td', { class: 'num strong' }, pct(g[key].pct)),
              h('td', { class: 'bar-cell' }, bar(g[key].pct / 2, 'growth'), h('span', { class: 'bar-mark', 'aria-hidden': 'true' })),
            );
          section.append(
            h('h2', null, t('rep_growth')),
            table(t('rep_growth_caption', { name: g.previous.name }), [t('rep_item'), t('rep_prev'), t('rep_cur'), t('rep_vs_prev'), ''], ['institutions', 'enterprises', 'consultations'].map(line)),
          );
        }

        const maxRound = Math.max(1, ...r.rounds.map((x) => x.consultations + x.no_shows));
        section.append(
          h('h2', null, t('rep_rounds')),
          table(
            t('rep_rounds_caption'),
            [t('col_round'), t('col_date'), t('rep_consultations'), t('rep_no_shows'), t('rep_institutions'), t('rep_enterprises'), ''],
            r.rounds.map((x) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, t('round_n', { n: x.number }), h('span', { class: 'sub' }, x.theme)),
                h('td', { class: 'nowrap' }, fmtDate(x.starts_at)),
                h('td', { class: 'num' }, String(x.consultations)),
                h('td', { class: 'num' }, String(x.no_shows)),
                h('td', { class: 'num' }, String(x.institutions)),
                h('td', { class: 'num' }, String(x.enterprises)),
                h('td', { class: 'bar-cell' }, bar((100 * x.consultations) / maxRound)),
              ),
            ),
          ),
        );

        const types = (key, list) =>
          table(
            t('rep_' + key + '_caption'),
            [t('rep_type'), t('col_distinct'), t('col_share'), '', t('col_participations'), t('rep_consultations')],
            list.map((k) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, kindLabel({ kind: k.kind, kind_label: k.label })),
                h('td', { class: 'num' }, String(k.distinct)),
                h('td', { class: 'num' }, pct(k.distinct_pct)),
                h('td', { class: 'bar-cell' }, bar(k.distinct_pct)),
                h('td', { class: 'num' }, String(k.participations)),
                h('td', { class: 'num' }, String(k.consultations)),
              ),
            ),
          );
        section.append(
          h('h2', null, t('rep_types')),
          h('div', { class: 'two-col' }, types('itypes', r.institution_types), types('etypes', r.enterprise_types)),
        );

        const shares = (caption, list) =>
          table(
            caption,
            [t('rep_answer'), t('rep_count'), t('col_share'), ''],
            list.map((s) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, S.lang === 'en' && s.label_en ? s.label_en : s.label),
                h('td', { class: 'num' }, String(s.count)),
                h('td', { class: 'num strong' }, pct(s.pct)),
                h('td', { class: 'bar-cell' }, bar(s.pct)),
              ),
            ),
          );
        const side = (key) => {
          const s = r.survey[key];
          return h(
            'div',
            { class: 'survey-side' },
            h('h3', null, t('rep_survey_' + key, { n: s.responses })),
            shares(S.lang === 'en' && s.question_en ? s.question_en : s.question, s.valued),
            h('p', { class: 'muted' }, t('rep_rating', { avg: s.rating.average.toFixed(2) }), ' ', h('span', { class: 'mono' }, s.rating.counts.map((n, i) => i + 1 + '★ ' + n).join(' · '))),
          );
        };
        section.append(h('h2', null, t('rep_survey')), h('div', { class: 'two-col' }, side('buyer'), side('vendor')));
        section.append(
          h('h2', null, t('rep_followup')),
          h('div', { class: 'two-col' }, shares(t('rep_outcomes_caption'), r.outcomes), shares(t('rep_endings_caption'), r.endings)),
        );
      },
      choose(id) {
        page.fair = id;
        page.data = null;
        page.load();
      },
      async load() {
        try {
          if (!page.fairs) {
            page.fairs = await api('/api/fairs');
            page.fair = defaultFair(page.fairs);
          }
          page.data = await api('/api/report?fair=' + encodeURIComponent(page.fair));
          page.error = null;
        } catch (e) {
          page.error = { code: e.code || 'unknown', message: e.message || '' };
          S.lastError = { code: page.error.code, message: page.error.message, fatal: false };
        }
        if (S.page === page) remount();
      },
    };
    page.load();
    return page;
  }

  /** The survey about one meeting, for its buyer or vendor (#survey=<meetingId>). */
  function surveyPage(meetingId) {
    const page = {
      name: 'survey',
      data: null,
      error: null,
      sent: false,
      mount(root) {
        const section = h('section', { class: 'card survey', 'aria-labelledby': 'survey-title' });
        root.append(section);
        section.append(h('div', { class: 'card-head' }, h('h1', { id: 'survey-title' }, t('survey_title'))));
        const back = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => go('') }, t('back')));
        if (!page.data) {
          section.append(h('p', { class: page.error ? 'warn-text' : 'loading', role: 'status' }, page.error ? errText(page.error.code) : t('loading')), back);
          return;
        }
        const d = page.data;
        const other = d.side === 'buyer' ? d.meeting.enterprise : d.meeting.institution;
        section.append(h('p', { class: 'muted' }, t('round_n', { n: d.meeting.round }), ' · ', fmtRange(d.meeting, true), ' · ', orgCell(other)));
        if (d.answered) {
          section.setAttribute('data-answered', 'true');
          section.append(h('p', { class: 'big-note', role: 'status' }, t('survey_thanks')), back);
          return;
        }
        if (!d.open) {
          section.append(h('p', { class: 'big-note' }, t('survey_not_open', { time: fmtTime(d.opens_at) })), back);
          return;
        }
        const msg = h('p', { class: 'warn-text', role: 'alert', hidden: true });
        const radios = (name, items) =>
          h(
            'div',
            { class: 'choices' },
            items.map(([value, label]) => h('label', { class: 'choice' }, h('input', { type: 'radio', name, value, required: true }), h('span', null, label))),
          );
        const q = d.question;
        const form = h(
          'form',
          {
            class: 'survey-form',
            async onsubmit(ev) {
              ev.preventDefault();
              const fd = new FormData(form);
              const valued = fd.get('valued');
              const rating = fd.get('rating');
              const outcome = fd.get('outcome');
              if (!valued || !rating || !outcome) {
                msg.hidden = false;
                setText(msg, t('survey_missing'));
                return;
              }
              const submit = form.querySelector('button[type=submit]');
              submit.disabled = true;
              try {
                await apiPost('/api/survey/' + encodeURIComponent(meetingId), { valued, rating: Number(rating), outcome, comment: String(fd.get('comment') || '') });
                page.data.answered = true;
                toast(t('survey_thanks'), 'info');
                remount();
              } catch (e) {
                submit.disabled = false;
                msg.hidden = false;
                setText(msg, errText(e.code) + (e.message ? ' (' + e.message + ')' : ''));
                if (e.code === 'already_answered') {
                  page.data.answered = true;
                  remount();
                }
              }
            },
          },
          h('fieldset', null, h('legend', null, S.lang === 'en' && q.text_en ? q.text_en : q.text), radios('valued', q.options.map((o) => [o.id, S.lang === 'en' && o.label_en ? o.label_en : o.label]))),
          h('fieldset', null, h('legend', null, t('survey_rating')), radios('rating', [5, 4, 3, 2, 1].map((n) => [String(n), n + ' · ' + t('rating_' + n)]))),
          h('fieldset', null, h('legend', null, t('survey_outcome')), radios('outcome', d.outcomes.map((o) => [o.code, S.lang === 'en' ? o.label_en : o.label]))),
          h('label', { class: 'field' }, h('span', null, t('survey_comment')), h('textarea', { name: 'comment', rows: '3', maxlength: '1000' })),
          msg,
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('survey_submit')), h('button', { type: 'button', class: 'btn', onclick: () => go('') }, t('back'))),
        );
        section.append(h('p', null, t('survey_intro', { name: other.name })), form);
      },
      async load() {
        try {
          page.data = await api('/api/survey/' + encodeURIComponent(meetingId));
          page.error = null;
        } catch (e) {
          page.error = { code: e.code || 'unknown', message: e.message || '' };
        }
        if (S.page === page) remount();
      },
    };
    page.load();
    return page;
  }

  // ------------------------------------------------------------------------------------
  // The room: local and remote video, WebSocket signaling, WebRTC.
  // ------------------------------------------------------------------------------------
  const ICON = {
    mic: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z"/></svg>',
    micOff: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M19 11h-2a5 5 0 0 1-.7 2.56l1.45 1.45A6.96 6.96 0 0 0 19 11zm-4 .17V5a3 3 0 0 0-5.94-.6zM4.27 3 3 4.27l6 6V11a3 3 0 0 0 4.5 2.6l1.52 1.52A5 5 0 0 1 7 11H5a7 7 0 0 0 6 6.92V21h2v-3.08a6.9 6.9 0 0 0 3.5-1.38L19.73 21 21 19.73z"/></svg>',
    cam: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z"/></svg>',
    camOff: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M21 6.5l-4 4V7a1 1 0 0 0-1-1H9.82L21 17.18zM3.27 2 2 3.27 4.73 6H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12c.21 0 .39-.08.55-.18L19.73 21 21 19.73z"/></svg>',
    leave: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 9c-1.6 0-3.15.25-4.6.72v3.1c0 .39-.23.74-.56.9-.98.49-1.87 1.12-2.66 1.85a.99.99 0 0 1-1.41-.01L.29 13.08a1 1 0 0 1 0-1.41C3.34 8.78 7.46 7 12 7s8.66 1.78 11.71 4.67a1 1 0 0 1 0 1.41l-2.48 2.48a.99.99 0 0 1-1.41.01 11 11 0 0 0-2.66-1.85 1 1 0 0 1-.56-.9v-3.1C15.15 9.25 13.6 9 12 9z"/></svg>',
  };

  function iconEl(svg) {
    const span = h('span', { class: 'icon' });
    span.innerHTML = svg; // constant markup from ICON only
    return span;
  }

  function roomPage(meetingId) {
    const known = ((S.me && S.me.meetings) || []).find((m) => m.id === meetingId) || null;
    const role = S.me && S.me.participant ? S.me.participant.role : 'buyer';
    const st = {
      meetingId,
      meeting: known,
      window: known ? known.window : null,
      phase: known ? effPhase(known) : null,
      side: role === 'vendor' ? 'vendor' : 'buyer',
      joined: false,
      peerPresent: false,
      call: 'idle', // idle | connecting | connected
      status: 'connecting',
      lastError: null,
      ended: false,
      closed: null, // {reason}
      fatal: null, // {code, message}
      ws: null,
      pc: null,
      iceServers: [],
      offerer: false,
      pendingIce: [],
      localStream: null,
      remoteStream: null,
      media: null, // promise of the local stream (or null)
      mediaNote: null,
      chain: Promise.resolve(),
      pingTimer: null,
      reconnectTimer: null,
      reconnectDelay: 1000,
      lastRestart: 0,
      banner: null, // {text, until}
      retryTimer: null,
      noShow: null, // 'buyer' | 'vendor' | 'both' once the server records a no-show
    };
    const ui = {};

    // --- rendering ---------------------------------------------------------------------
    function counterpart() {
      if (!st.meeting) return null;
      return st.side === 'buyer' ? st.meeting.enterprise : st.meeting.institution;
    }

    function noShowText() {
      if (!st.noShow) return '';
      const other = counterpart();
      if (st.noShow !== st.side && st.noShow !== 'both') return t('no_show_peer', { name: other ? other.name : '' });
      return t('no_show_self');
    }

    function build(root) {
      ui.org = h('span', { class: 'org-name' });
      ui.kind = h('span', { class: 'tag' });
      ui.meta = h('p', { class: 'muted room-meta' });
      ui.withLabel = h('p', { class: 'eyebrow' });
      ui.phase = h('span', { class: 'badge', 'aria-live': 'polite' });
      ui.cdLabel = h('span', { class: 'cd-label' });
      ui.cd = h('span', { class: 'room-countdown', role: 'timer', 'aria-live': 'off' });
      ui.banner = h('div', { class: 'banner', role: 'alert', hidden: true });
      ui.status = h('p', { class: 'room-status', role: 'status', 'aria-live': 'polite' });
      ui.mediaNote = h('p', { class: 'media-note', hidden: true });

      ui.remoteVideo = h('video', { autoplay: true, playsinline: true, class: 'video' });
      ui.remotePh = h('div', { class: 'placeholder' });
      ui.remoteCap = h('figcaption', { class: 'caption' });
      ui.unmute = h(
        'button',
        {
          type: 'button',
          class: 'btn unmute',
          hidden: true,
          onclick: () => {
            ui.remoteVideo.muted = false;
            ui.remoteVideo.play().catch(() => {});
            ui.unmute.hidden = true;
          },
        },
        '',
      );
      ui.localVideo = h('video', { autoplay: true, playsinline: true, class: 'video mirror' });
      ui.localVideo.muted = true; // the property, not only the attribute: never hear yourself
      ui.localPh = h('div', { class: 'placeholder', hidden: true });
      ui.localCap = h('figcaption', { class: 'caption' });

      ui.micBtn = h('button', { type: 'button', class: 'ctl', onclick: () => toggle('audio') });
      ui.camBtn = h('button', { type: 'button', class: 'ctl', onclick: () => toggle('video') });
      ui.leaveBtn = h('button', { type: 'button', class: 'ctl danger', onclick: leave });

      ui.overlay = h('div', { class: 'room-overlay', hidden: true });

      root.append(
        h(
          'section',
          { class: 'room', 'aria-labelledby': 'room-org' },
          h(
            'div',
            { class: 'room-top' },
            h('div', { class: 'room-who' }, ui.withLabel, h('h1', { id: 'room-org', class: 'room-org' }, ui.org, ' ', ui.kind), ui.meta),
            h('div', { class: 'room-clock' }, ui.phase, ui.cdLabel, ui.cd),
          ),
          ui.banner,
          ui.status,
          ui.mediaNote,
          h(
            'div',
            { class: 'videos' },
            h('figure', { class: 'tile remote' }, ui.remoteVideo, ui.remotePh, ui.unmute, ui.remoteCap),
            h('figure', { class: 'tile local' }, ui.localVideo, ui.localPh, ui.localCap),
          ),
          h('div', { class: 'controls', role: 'toolbar', 'aria-label': t('room_label') }, ui.micBtn, ui.camBtn, ui.leaveBtn),
          ui.overlay,
        ),
      );
    }

    function setCall(c) {
      st.call = c;
      document.body.dataset.call = c;
      draw();
    }

    function setPhase(p) {
      st.phase = p;
      if (p) document.body.dataset.phase = p;
      draw();
    }

    function controlState(kind) {
      if (st.ended) return 'none';
      const tracks = st.localStream ? st.localStream.getTracks().filter((x) => x.kind === kind) : [];
      if (!tracks.length) return 'none';
      return tracks.every((x) => x.enabled) ? 'on' : 'off';
    }

    function drawControl(btn, kind) {
      const s = controlState(kind);
      const isMic = kind === 'audio';
      btn.replaceChildren(
        iconEl(s === 'on' ? (isMic ? ICON.mic : ICON.cam) : isMic ? ICON.micOff : ICON.camOff),
        h('span', { class: 'ctl-text' }, t(isMic ? 'mic' : 'cam'), h('small', null, t('state_' + s))),
      );
      btn.disabled = s === 'none';
      btn.classList.toggle('off', s !== 'on');
      setAttr(btn, 'aria-pressed', s === 'off' ? 'true' : 'false');
      setAttr(btn, 'aria-label', s === 'on' ? t(isMic ? 'mic_off_aria' : 'cam_off_aria') : s === 'off' ? t(isMic ? 'mic_on_aria' : 'cam_on_aria') : t(isMic ? 'mic' : 'cam') + ' — ' + t('state_none'));
      setAttr(btn, 'data-state', s);
    }

    /** Updates everything but the countdown (that is the ticker's job). */
    function draw() {
      if (!ui.org) return;
      const other = counterpart();
      setText(ui.withLabel, t('room_with'));
      setText(ui.org, other ? other.name : meetingId);
      setText(ui.kind, other ? kindLabel(other) : '');
      ui.kind.hidden = !other;
      if (st.meeting) setText(ui.meta, t('room_meta', { round: t('round_n', { n: st.meeting.round }), theme: st.meeting.theme, time: fmtRange(st.meeting) }));
      if (st.phase) updateBadge(ui.phase, st.phase);
      ui.phase.hidden = !st.phase;

      let s;
      const startAt = st.window ? fmtTime(st.window.starts_at) : '';
      if (!st.joined) s = st.status === 'reconnecting' ? t('room_reconnecting') : t('room_connecting');
      else if (st.call === 'connected') s = st.status === 'unstable' ? t('room_unstable') : t('room_connected');
      else if (st.call === 'connecting') s = st.status === 'unstable' ? t('room_unstable') : t('room_calling');
      else if (!st.peerPresent) s = st.status === 'peer_left' ? t('room_peer_left') : t('room_wait_peer', { name: other ? other.name : '' });
      else if (st.phase === 'check-in') s = t('room_both_wait', { time: startAt });
      else s = t('room_calling');
      if (st.ended) s = '';
      setText(ui.status, s);

      setText(ui.remoteCap, other ? other.name : '');
      setText(ui.remotePh, st.call === 'connected' ? '' : !st.peerPresent && st.joined ? t('room_wait_peer', { name: other ? other.name : '' }) : t('room_remote_wait'));
      ui.remotePh.hidden = st.call === 'connected';
      setText(ui.unmute, t('unmute'));

      const me = S.me && S.me.participant ? S.me.participant.name : '';
      setText(ui.localCap, t('room_you') + (me ? ' · ' + me : ''));
      const cam = controlState('video');
      ui.localPh.hidden = cam === 'on';
      setText(ui.localPh, cam === 'none' ? t('room_no_cam') : t('room_cam_off'));
      drawControl(ui.micBtn, 'audio');
      drawControl(ui.camBtn, 'video');
      ui.leaveBtn.replaceChildren(iconEl(ICON.leave), h('span', { class: 'ctl-text' }, t('leave')));
      setAttr(ui.leaveBtn, 'aria-label', t('leave_aria'));

      const notes = [];
      if (st.mediaNote) notes.push(t(st.mediaNote));
      if (st.noShow && !(st.call === 'connected' || (st.peerPresent && st.noShow !== 'both' && st.noShow !== st.side))) notes.push(noShowText());
      ui.mediaNote.hidden = !notes.length;
      setText(ui.mediaNote, notes.join(' '));

      drawOverlay();
    }

    function drawOverlay() {
      if (!st.closed && !st.fatal) {
        ui.overlay.hidden = true;
        return;
      }
      const wasHidden = ui.overlay.hidden;
      ui.overlay.hidden = false;
      const body = [];
      if (st.closed) {
        body.push(h('h2', { id: 'overlay-title', tabindex: '-1' }, t('room_closed_title')), h('p', { class: 'overlay-reason' }, STR[S.lang]['closed_' + st.closed.reason] ? t('closed_' + st.closed.reason) : String(st.closed.reason)));
      } else {
        const f = st.fatal;
        body.push(
          h('h2', { id: 'overlay-title', tabindex: '-1' }, t('room_fatal_title')),
          h('p', { class: 'overlay-reason' }, errText(f.code)),
          h('p', { class: 'error-code' }, t('error_code') + ': ', h('code', null, f.code)),
          f.message ? h('p', { class: 'muted' }, t('error_detail') + ': ' + f.message) : null,
        );
      }
      const actions = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => go('') }, t('back')));
      if (st.closed) {
        body.push(h('p', null, t('survey_after')));
        actions.prepend(h('button', { type: 'button', class: 'btn primary', id: 'to-survey', onclick: () => go('survey=' + encodeURIComponent(meetingId)) }, t('survey_link')));
      }
      if (st.fatal && ['too_early', 'replaced', 'internal', 'unsupported_version'].includes(st.fatal.code)) {
        actions.append(h('button', { type: 'button', class: 'btn', onclick: () => (st.fatal.code === 'unsupported_version' ? location.reload() : show(roomPage(meetingId))) }, t('retry')));
      }
      body.push(actions);
      ui.overlay.replaceChildren(h('div', { class: 'overlay-box ' + (st.closed ? 'closed' : 'fatal'), role: 'alert', 'aria-labelledby': 'overlay-title' }, body));
      if (wasHidden) {
        const title = ui.overlay.querySelector('h2');
        if (title) title.focus();
      }
    }

    function tickRoom(now) {
      if (!ui.cd) return;
      const w = st.window;
      let label = '';
      let ms = 0;
      const ph = st.phase;
      if (w && ph) {
        if (ph === 'scheduled' || ph === 'check-in') {
          label = t('room_to_start');
          ms = w.starts_at - now;
        } else if (ph === 'live') {
          label = t('room_to_end');
          ms = w.ends_at - now;
        } else if (ph === 'grace') {
          label = t('room_grace');
          ms = w.closes_at - now;
        } else label = t('room_over');
      }
      setText(ui.cdLabel, label);
      setText(ui.cd, w && ph ? fmtDur(ms) : '--:--');
      ui.cd.classList.toggle('last-minute', (ph === 'live' && ms <= 60000) || ph === 'grace');
      if (st.banner && Date.now() > st.banner.until) {
        st.banner = null;
        ui.banner.hidden = true;
      }
    }

    function showBanner(remainingS) {
      const text = remainingS === 60 ? t('warn_min1') : remainingS % 60 === 0 ? t('warn_min', { n: remainingS / 60 }) : t('warn_sec', { n: remainingS });
      st.banner = { remainingS, until: Date.now() + 15000 };
      ui.banner.hidden = false;
      ui.banner.className = 'banner' + (remainingS <= 60 ? ' urgent' : '');
      setText(ui.banner, text);
    }

    // --- media ---------------------------------------------------------------------------
    async function getMedia() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        st.mediaNote = window.isSecureContext ? 'media_none' : 'media_insecure';
        return null;
      }
      const tries = [{ audio: true, video: true }, { audio: true }, { video: true }];
      let firstErr = null;
      for (const c of tries) {
        try {
          const stream = await navigator.mediaDevices.getUserMedia(c);
          if (c !== tries[0]) st.mediaNote = 'media_partial';
          return stream;
        } catch (e) {
          firstErr = firstErr || e;
          if (e && (e.name === 'NotAllowedError' || e.name === 'SecurityError')) break;
        }
      }
      st.mediaNote = firstErr && (firstErr.name === 'NotAllowedError' || firstErr.name === 'SecurityError') ? 'media_denied' : 'media_none';
      console.warn('getUserMedia failed', firstErr);
      return null;
    }

    function toggle(kind) {
      if (!st.localStream) return;
      const tracks = st.localStream.getTracks().filter((x) => x.kind === kind);
      if (!tracks.length) return;
      const on = !tracks.every((x) => x.enabled);
      for (const x of tracks) x.enabled = on;
      draw();
    }

    function attachRemote() {
      const v = ui.remoteVideo;
      if (v.srcObject !== st.remoteStream) v.srcObject = st.remoteStream;
      const p = v.play();
      if (p && p.catch) {
        p.catch(() => {
          // Autoplay with sound was refused: play muted, offer a button to turn sound on.
          v.muted = true;
          v.play().catch(() => {});
          ui.unmute.hidden = false;
        });
      }
    }

    // --- WebRTC ----------------------------------------------------------------------------
    function send(obj) {
      const ws = st.ws;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
    }

    function closePc() {
      const old = st.pc;
      st.pc = null;
      if (!old) return;
      old.onicecandidate = null;
      old.ontrack = null;
      old.onconnectionstatechange = null;
      old.oniceconnectionstatechange = null;
      try {
        old.close();
      } catch (_) {
        /* already closed */
      }
    }

    /** A fresh RTCPeerConnection with the local tracks; the old one, if any, is closed. */
    function resetPc() {
      closePc();
      st.pendingIce = [];
      st.offerer = false;
      st.remoteStream = new MediaStream();
      if (ui.remoteVideo) ui.remoteVideo.srcObject = null;
      if (st.ended) return;
      const pc = new RTCPeerConnection({ iceServers: st.iceServers || [] });
      st.pc = pc;
      if (st.localStream) for (const track of st.localStream.getTracks()) pc.addTrack(track, st.localStream);
      pc.onicecandidate = (ev) => {
        if (pc !== st.pc || !ev.candidate) return;
        send({ type: 'ice', candidate: ev.candidate.toJSON() });
      };
      pc.ontrack = (ev) => {
        if (pc !== st.pc) return;
        if (!st.remoteStream.getTracks().includes(ev.track)) st.remoteStream.addTrack(ev.track);
        attachRemote();
      };
      pc.onconnectionstatechange = () => onPcState(pc);
      pc.oniceconnectionstatechange = () => onPcState(pc);
      st.call = 'idle';
      document.body.dataset.call = 'idle';
    }

    function onPcState(pc) {
      if (pc !== st.pc || st.ended) return;
      const cs = pc.connectionState;
      const ics = pc.iceConnectionState;
      const ok = cs ? cs === 'connected' : ics === 'connected' || ics === 'completed';
      if (ok) {
        st.status = 'connected';
        setCall('connected');
      } else if (cs === 'failed' || ics === 'failed') {
        st.status = 'unstable';
        setCall('connecting');
        if (st.offerer) restartIce(pc);
      } else if (cs === 'disconnected' || ics === 'disconnected') {
        st.status = 'unstable';
        setCall('connecting');
      } else if (st.call !== 'idle' || cs === 'connecting') {
        setCall('connecting');
      }
    }

    async function restartIce(pc) {
      if (Date.now() - st.lastRestart < 5000 || pc.signalingState !== 'stable') return;
      st.lastRestart = Date.now();
      try {
        if (pc.restartIce) pc.restartIce();
        await makeOffer({ iceRestart: true });
      } catch (e) {
        console.warn('ICE restart failed', e);
      }
    }

    async function makeOffer(opts) {
      const pc = st.pc;
      if (!pc) return;
      // Receive audio and video even if this side has no camera or microphone.
      for (const kind of ['audio', 'video']) {
        if (!pc.getTransceivers().some((tr) => tr.receiver && tr.receiver.track && tr.receiver.track.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
      }
      const offer = await pc.createOffer(opts);
      if (pc !== st.pc) return;
      await pc.setLocalDescription(offer);
      if (pc !== st.pc) return;
      send({ type: 'offer', sdp: pc.localDescription.sdp });
    }

    async function flushIce(pc) {
      const list = st.pendingIce;
      st.pendingIce = [];
      for (const c of list) await addIce(pc, c);
    }

    async function addIce(pc, c) {
      try {
        await pc.addIceCandidate(c);
      } catch (e) {
        console.warn('addIceCandidate failed', e);
      }
    }

    // --- signaling ---------------------------------------------------------------------------
    async function handle(msg, ws) {
      if (ws !== st.ws || st.ended) return;
      switch (msg.type) {
        case 'joined': {
          st.joined = true;
          st.status = 'joined';
          st.reconnectDelay = 1000;
          st.meeting = msg.meeting || st.meeting;
          st.window = msg.window || st.window;
          st.side = (msg.you && msg.you.side) || st.side;
          st.peerPresent = !!msg.peer_present;
          st.iceServers = Array.isArray(msg.ice_servers) ? msg.ice_servers : [];
          setPhase(msg.phase);
          st.localStream = await st.media;
          if (st.ended || ws !== st.ws) return;
          if (st.localStream && ui.localVideo.srcObject !== st.localStream) {
            ui.localVideo.srcObject = st.localStream;
            ui.localVideo.play().catch(() => {});
          }
          resetPc();
          draw();
          break;
        }
        case 'peer_joined':
          st.peerPresent = true;
          st.status = 'joined';
          draw();
          break;
        case 'peer_left':
          st.peerPresent = false;
          st.status = 'peer_left';
          resetPc();
          draw();
          break;
        case 'call_ready': {
          st.peerPresent = true;
          if (!st.pc || st.pc.localDescription || st.pc.remoteDescription || st.pc.signalingState === 'closed') resetPc();
          st.offerer = !!msg.offerer;
          st.status = 'calling';
          setCall('connecting');
          if (st.offerer) await makeOffer();
          break;
        }
        case 'offer': {
          let pc = st.pc;
          if (!pc) {
            resetPc();
            pc = st.pc;
          }
          if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
          await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
          if (pc !== st.pc) return;
          await flushIce(pc);
          const answer = await pc.createAnswer();
          if (pc !== st.pc) return;
          await pc.setLocalDescription(answer);
          if (pc !== st.pc) return;
          send({ type: 'answer', sdp: pc.localDescription.sdp });
          if (st.call === 'idle') setCall('connecting');
          break;
        }
        case 'answer': {
          const pc = st.pc;
          if (!pc || pc.signalingState !== 'have-local-offer') {
            console.warn('answer ignored in state', pc && pc.signalingState);
            return;
          }
          await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
          if (pc !== st.pc) return;
          await flushIce(pc);
          break;
        }
        case 'ice': {
          const pc = st.pc;
          if (!pc || !msg.candidate) return;
          if (pc.remoteDescription) await addIce(pc, msg.candidate);
          else st.pendingIce.push(msg.candidate);
          break;
        }
        case 'phase':
          setPhase(msg.phase);
          break;
        case 'warning':
          showBanner(Number(msg.remaining_s) || 0);
          break;
        case 'no_show': {
          st.noShow = msg.absent || 'both';
          const text = noShowText();
          if (text) toast(text, 'info');
          draw();
          break;
        }
        case 'pong':
          break;
        case 'error': {
          st.lastError = { code: msg.code, message: msg.message, fatal: false };
          S.lastError = st.lastError;
          toast(errText(msg.code) + ' (' + msg.code + ')', 'error');
          break;
        }
        default:
          console.warn('unknown message', msg.type);
      }
    }

    /** The room is over for this page: `closed`, a fatal error, or the socket's fatal close. */
    function finish(kind, info) {
      if (st.ended) return;
      st.ended = true;
      if (kind === 'closed' || info.code === 'room_closed') {
        // Home pages must not offer (or auto-enter) this room again.
        const mine = S.me && S.me.meetings && S.me.meetings.find((x) => x.id === meetingId);
        if (mine) mine.phase = 'closed';
      }
      if (kind === 'closed') {
        st.closed = { reason: info.reason };
        setPhase('closed');
      } else {
        st.fatal = { code: info.code || 'unknown', message: info.message || '' };
        st.lastError = { code: st.fatal.code, message: st.fatal.message, fatal: true };
        S.lastError = st.lastError;
        // Too early by a little (clock skew, or waiting on this page): try again at check-in.
        const wait = st.window ? st.window.checkin_opens_at - serverNow() + 500 : -1;
        if (st.fatal.code === 'too_early' && wait > 0 && wait < 3600000) {
          st.retryTimer = setTimeout(() => {
            if (S.page === page) show(roomPage(meetingId));
          }, wait);
        }
      }
      teardown(false);
      setCall('idle');
      draw();
    }

    function connect() {
      if (st.ended) return;
      clearTimeout(st.reconnectTimer);
      const url = (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws';
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        finish('fatal', { code: 'network', message: String(e) });
        return;
      }
      st.ws = ws;
      st.joined = false;
      ws.onopen = () => {
        if (ws !== st.ws) return;
        ws.send(JSON.stringify({ type: 'join', v: 1, token: S.token, meeting: meetingId }));
        ping();
        clearInterval(st.pingTimer);
        st.pingTimer = setInterval(ping, 20000);
      };
      ws.onmessage = (ev) => {
        if (ws !== st.ws) return;
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch (_) {
          console.warn('unreadable server message');
          return;
        }
        if (!msg || typeof msg.type !== 'string') return;
        if (msg.type === 'pong') {
          if (typeof msg.t === 'number') noteServerTime(msg.server_time, msg.t, Date.now());
          else noteServerTime(msg.server_time);
        } else if (typeof msg.server_time === 'number') noteServerTime(msg.server_time);
        // The end of the room is handled at once, so no reconnect races it.
        if (msg.type === 'closed') return finish('closed', msg);
        if (msg.type === 'error' && msg.fatal) return finish('fatal', msg);
        st.chain = st.chain
          .then(() => handle(msg, ws))
          .catch((e) => {
            console.error('signaling step failed', msg.type, e);
            st.lastError = { code: 'webrtc', message: String((e && e.message) || e), fatal: false };
            S.lastError = st.lastError;
            toast(t('err_webrtc'), 'error');
          });
      };
      ws.onclose = (ev) => {
        if (ws !== st.ws) return;
        clearInterval(st.pingTimer);
        if (st.ended) return;
        if (ev.code === 4000 && ev.reason) return finish('fatal', { code: ev.reason, message: '' });
        // Lost without a word: the peer hears `peer_left`; come back and start over.
        st.joined = false;
        st.peerPresent = false;
        st.status = 'reconnecting';
        closePc();
        setCall('idle');
        st.reconnectTimer = setTimeout(connect, st.reconnectDelay);
        st.reconnectDelay = Math.min(st.reconnectDelay * 2, 10000);
      };
      ws.onerror = () => {
        /* onclose follows */
      };
    }

    function ping() {
      send({ type: 'ping', t: Date.now() });
    }

    function teardown(sendLeave) {
      clearInterval(st.pingTimer);
      clearTimeout(st.reconnectTimer);
      const ws = st.ws;
      if (ws) {
        if (sendLeave && ws.readyState === WebSocket.OPEN) {
          try {
            ws.send(JSON.stringify({ type: 'leave' }));
          } catch (_) {
            /* closing anyway */
          }
        }
        ws.onmessage = null;
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
          try {
            ws.close(1000, 'bye');
          } catch (_) {
            /* already closing */
          }
        }
      }
      closePc();
      if (st.localStream) for (const x of st.localStream.getTracks()) x.stop();
      else if (st.media) st.media.then((s) => s && s.getTracks().forEach((x) => x.stop()));
      if (ui.localVideo) ui.localVideo.srcObject = null;
      if (ui.remoteVideo) ui.remoteVideo.srcObject = null;
    }

    function leave() {
      if (!st.ended) {
        st.ended = true;
        leftRooms.add(meetingId);
        teardown(true);
      }
      go('');
    }

    const onPageHide = () => {
      if (!st.ended) {
        st.ended = true;
        teardown(true);
      }
    };

    const page = {
      name: 'room',
      mount(root) {
        S.room = st;
        document.body.dataset.call = st.call;
        if (st.phase) document.body.dataset.phase = st.phase;
        else delete document.body.dataset.phase;
        build(root);
        draw();
        S.tickers.push(tickRoom);
        if (!st.media) {
          st.media = getMedia().then((s) => {
            if (st.ended) {
              if (s) s.getTracks().forEach((x) => x.stop());
              return null;
            }
            if (s) {
              ui.localVideo.srcObject = s;
              ui.localVideo.play().catch(() => {});
            }
            st.localStream = s;
            draw();
            return s;
          });
          window.addEventListener('pagehide', onPageHide);
          connect();
        }
      },
      relabel() {
        draw();
        tick();
      },
      destroy() {
        clearTimeout(st.retryTimer);
        window.removeEventListener('pagehide', onPageHide);
        if (!st.ended) {
          st.ended = true;
          leftRooms.add(meetingId);
          teardown(true);
        }
        if (S.room === st) S.room = null;
      },
    };
    return page;
  }

  // ------------------------------------------------------------------------------------
  // Test hooks.
  // ------------------------------------------------------------------------------------
  window.sangdam = {
    /** The current RTCPeerConnection of the room page, or null. */
    pc: () => (S.room ? S.room.pc : null),
    /** The room's state for tests; outside a room, phase is null. */
    state: () => {
      const r = S.room;
      if (!r) return { page: S.page ? S.page.name : null, phase: null, connected: false, call: 'idle', lastError: S.lastError, lobby: lobbyState() };
      return {
        page: 'room',
        meeting: r.meetingId,
        side: r.side,
        phase: r.phase,
        connected: r.call === 'connected',
        call: r.call,
        joined: r.joined,
        peerPresent: r.peerPresent,
        closed: r.closed ? r.closed.reason : null,
        lastError: r.lastError,
        fatal: r.fatal,
        noShow: r.noShow,
        lobby: lobbyState(),
      };
    },
    /** The last vendor_status or booth_status from the lobby, or null. */
    lobby: () => L.status,
    serverNow,
    clockOffset: () => S.offset,
    lang: () => S.lang,
    setLang,
  };

  // ------------------------------------------------------------------------------------
  // Start.
  // ------------------------------------------------------------------------------------
  function start() {
    const saved = store('local', LS_LANG);
    S.lang = saved && STR[saved] ? saved : 'ko';
    document.documentElement.lang = S.lang;
    S.token = store('session', SS_TOKEN) || null;
    for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
    const out = document.getElementById('sign-out');
    if (out) out.addEventListener('click', signOut);
    const skip = document.getElementById('skip-link');
    if (skip) {
      skip.addEventListener('click', (ev) => {
        ev.preventDefault();
        mainEl().focus();
      });
    }
    window.addEventListener('hashchange', () => route());
    renderHeader();
    setInterval(tick, 250);
    route();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

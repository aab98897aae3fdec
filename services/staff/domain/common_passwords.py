"""Passwords (and their stems) that lists of leaked passwords lead with; refused whatever is added to them."""
# Stems: a password that is one of these with digits or symbols around it (Password2024!) is refused too.
WORDS = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123
football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321
superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh
hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey
ranger daniel starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111
131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley
nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor matrix mobilemail
mom monitor monitoring montana moon moscow admin welcome welcome1 login passw0rd p@ssw0rd p@ssword
password1 password123 qwerty123 qwerty1 abc12345 1q2w3e4r 1q2w3e4r5t zaq12wsx qwe123 q1w2e3r4 q1w2e3r4t5
asdfghjkl asdf1234 asdfasdf qwertyui qwertyuiop123 zxcvbnm123 1qazxsw2 xsw2zaq1 letmein1 trustno1
iloveyou1 princess1 sunshine1 football1 baseball1 monkey1 dragon1 master1 shadow1 superman1 batman1
whatever secret secret1 changeme changeit default guest root administrator adminadmin admin123 test
test123 testing tester user user123 demo demo123 sample hello hello123 hellohello goodbye forever
lovely loveme lover flower flowers angel angels baby babygirl babyboy beautiful butterfly cookie
chocolate cupcake sweet sweetie sweetheart honey hottie purple orange yellow silver golden diamond
secure security private confidential therapy therapist therapists clinic clinician counseling
counselling counselor counsellor practice healing wellness mentalhealth attune attunement psychology
psychologist psychotherapy doctor nurse patient health healthcare medical hospital office reception
frontdesk schedule booking calendar appointment session sessions family families couples children
parents adolescents attachment wordpass passpass passwordpassword mypassword newpassword oldpassword
yourpassword thepassword password! passwort motdepasse contrasena senha wachtwoord salasana haslo
internet service server system network google facebook twitter instagram linkedin youtube microsoft
apple samsung windows linux ubuntu android iphone yahoo hotmail gmail outlook amazon netflix spotify
starwars1 pokemon naruto minecraft fortnite roblox zelda mario sonic matrix1 trinity neo morpheus
jordan23 michael1 jennifer1 jessica1 ashley1 amanda1 andrew1 daniel1 joshua1 charlie1 thomas1 robert1
justin brandon william jasmine hannah samantha sophie emily olivia emma liam noah james benjamin lucas
mason ethan alexander henry sebastian jackson aiden matthew1 david richard joseph charles christopher
anthony mark donald steven paul kevin brian edward ronald timothy jason jeffrey ryan jacob gary nicholas
eric stephen larry justin1 scott frank raymond gregory samuel patrick jack dennis jerry tyler aaron
mary patricia linda barbara elizabeth susan margaret sarah karen nancy lisa betty dorothy sandra
donna carol ruth sharon laura cynthia kathleen helen deborah rachel carolyn janet catherine maria
heather diane julie joyce victoria kelly christina joan evelyn lauren judith megan cheryl andrea
spring autumn winter january february march april june july august september october november december
monday tuesday wednesday thursday friday saturday sunday newyork london paris berlin chicago boston
seattle california texas florida america canada england ireland scotland australia germany france
liverpool arsenal manchester chelsea1 barcelona realmadrid juventus lakers yankees1 cowboys steelers
packers eagles patriots redsox dodgers giants jets bears broncos raiders rangers1 warriors celtics
qwertz azerty qwertzuiop azertyuiop abcdef abcdefg abcdefgh abcd1234 aa123456 a1b2c3 a1b2c3d4 1a2b3c
123abc abc123abc 102030 112233445566 123123123 123456a 123456q 1234qwer 12qwaszx 147258369 159357
963852741 741852963 0987654321 9876543210 1234554321 12344321 11223344 123654 147258 258456 789456
789456123 456789 password12 password1234 pass1234 pass123 passw0rd1 qwerty12345 qwerty1234 letmein123
welcome123 welcome2024 summer2024 winter2024 spring2024 autumn2024 summer2025 winter2025 spring2025
autumn2025 summer2026 winter2026 spring2026 autumn2026 january2026 changeme123 temp temp123 temporary
nothing none nopassword blank empty unknown anything everything something someone somebody
iloveyou2 iloveu loveyou loveyou1 mylove myself family1 friends friend bestfriend happy happiness
smile sunshine2 rainbow unicorn dolphin tiger lion eagle falcon phoenix wolf bear horse dog cat
puppy kitty kitten fluffy snoopy scooby garfield mickey minnie donald1 goofy pluto tinkerbell
"""
COMMON = frozenset(WORDS.split())
